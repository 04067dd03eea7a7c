import { pino, type DestinationStream, type Logger } from 'pino';
import type { Config } from './config';

export type { Logger } from 'pino';

/** One structured logger per process; each role adds its own name and, where known, workflowId and runId. */
export function createLogger(config: Pick<Config, 'LOG_LEVEL'>, role: string, destination?: DestinationStream): Logger {
  const options = {
    level: config.LOG_LEVEL,
    base: { role },
    // Secrets never belong in logs; these paths catch the ones that can ride on request objects.
    redact: {
      paths: ['req.headers.authorization', 'req.headers.cookie', '*.privateKeyPem', '*.passphrase'],
      censor: '[redacted]',
    },
    formatters: {
      // A key sent as ?api_key= (or any secret-looking parameter) is logged as [redacted]; the path and the rest stay.
      log: (entry: Record<string, unknown>) => {
        // Runs before the request serializer: hand it the fields it reads, with the URL redacted.
        const req = entry.req as
          { method?: string; url?: unknown; host?: string; ip?: string; socket?: unknown } | undefined;
        if (!req || typeof req.url !== 'string') return entry;
        return {
          ...entry,
          req: { method: req.method, url: redactQuery(req.url), host: req.host, ip: req.ip, socket: req.socket },
        };
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** Query parameters whose values are never logged: keys, tokens, passwords, secrets, signatures, sessions. */
const SECRET_PARAMETER = /key|token|secret|pass|auth|sig|session|credential/i;

/** The URL with the values of secret-looking query parameters replaced by [redacted]. */
export function redactQuery(url: string): string {
  const at = url.indexOf('?');
  if (at < 0) return url;
  const query = url
    .slice(at + 1)
    .split('&')
    .map((pair) => {
      const eq = pair.indexOf('=');
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name);
      } catch {
        // a malformed name is judged as it is
      }
      return eq >= 0 && SECRET_PARAMETER.test(decoded) ? `${name}=[redacted]` : pair;
    })
    .join('&');
  return `${url.slice(0, at)}?${query}`;
}

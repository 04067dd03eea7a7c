import { NativeConnection } from '@temporalio/worker';
import { ConfigError } from './config';
import { temporalEndpoint, type TemporalSettings } from './temporal-settings';

// The start-up check of every role: connect as the service will, and ask for its namespace. What the settings
// could not show offline (a server that does not answer, a CA that did not sign the server's certificate, a client
// certificate the server refuses, an API key it rejects, a namespace it does not have) fails here, within seconds,
// with a message that names the setting.

const GRPC_NOT_FOUND = 5;
const GRPC_PERMISSION_DENIED = 7;
const GRPC_UNAUTHENTICATED = 16;

/** Turns what the SDK's core said into what to fix, naming the setting; unknown failures keep their text. */
export function explainConnectFailure(settings: TemporalSettings, err: unknown): string {
  const text = String((err as Error)?.message ?? err);
  const code = (err as { code?: number }).code;
  const { names } = settings;
  if (code === GRPC_NOT_FOUND && /namespace/i.test(text)) {
    return `${names.namespace}: namespace "${settings.namespace}" does not exist on ${settings.address}; create it (temporal operator namespace create --namespace ${settings.namespace}) or name another`;
  }
  if (code === GRPC_UNAUTHENTICATED || code === GRPC_PERMISSION_DENIED) {
    return settings.apiKey
      ? `${names.apiKey}: ${settings.address} refused the API key (${text}); check the key and that it may use namespace ${settings.namespace}`
      : `${settings.address} refused the request (${text}); it needs credentials: set TEMPORAL_API_KEY or a client certificate (TEMPORAL_TLS_CLIENT_CERT_PATH, TEMPORAL_TLS_CLIENT_KEY_PATH)`;
  }
  if (
    /UnknownIssuer|unknown ?issuer|self[- ]signed|unable to get (local )?issuer|certificate verify failed|BadSignature/i.test(
      text,
    )
  ) {
    return `${names.serverCa}: the certificate that ${settings.address} presented is not signed by this CA; give the CA that signed the server's certificate (${text})`;
  }
  if (/NotValidForName|not valid for name|hostname mismatch|CertNotValidForName/i.test(text)) {
    return `${names.serverName}: the certificate that ${settings.address} presented is not for this name; set TEMPORAL_TLS_SERVER_NAME to a name in its subjectAltName (${text})`;
  }
  const tlsOn = Boolean(settings.tls);
  const clientCert = typeof settings.tls === 'object' && Boolean(settings.tls.clientCertPair);
  if (
    /UnknownCA|unknown ca|BadCertificate|bad certificate|CertificateRequired|certificate required|decrypt error/i.test(
      text,
    )
  ) {
    return clientCert
      ? `${names.clientCert}: ${settings.address} refused this client certificate (${text}); give one signed by the CA the server trusts for clients`
      : `${settings.address} asks for a client certificate (mutual TLS): set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (${text})`;
  }
  // A mutual-TLS server hangs up on a TLS client without a certificate, and on a plaintext client, once it speaks.
  if (/broken pipe|connection ?reset|connection closed/i.test(text)) {
    // Under TLS 1.3 a refused client certificate may also arrive as a hang-up.
    if (clientCert)
      return `${names.clientCert}: ${settings.address} closed the connection after the handshake: it may refuse this client certificate; give one signed by the CA the server trusts for clients (${text})`;
    if (tlsOn)
      return `${settings.address} closed the connection: it asks for a client certificate (mutual TLS); set TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH (${text})`;
    if (!tlsOn)
      return `${names.address}: ${settings.address} closed the connection: it speaks TLS; set TEMPORAL_TLS=true, TEMPORAL_TLS_SERVER_CA_CERT_PATH if its CA is private, and the client certificate for mutual TLS (${text})`;
  }
  if (tlsOn && /tls handshake eof|InvalidContentType|wrong version number|CorruptMessage|corrupt message/i.test(text)) {
    return `${names.address}: TLS is on but ${settings.address} did not answer the TLS handshake (it may speak plaintext, or not be Temporal); check the address, or set TEMPORAL_TLS=false for a plaintext server (${text})`;
  }
  return `${names.address}: no Temporal server answered at ${settings.address} (${text}); check the address and that the server is up`;
}

/**
 * Connects and reads the namespace, giving up after `timeoutMs`: start-up never hangs on a server that does not
 * answer. Throws a ConfigError naming the setting at fault.
 */
export async function checkTemporalConnection(
  settings: TemporalSettings,
  options: { timeoutMs?: number; namespaceMustExist?: boolean } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
  });
  let connection: NativeConnection | undefined;
  const attempt = (async () => {
    connection = await NativeConnection.connect(temporalEndpoint(settings));
    // Before a namespace is made (npm run temporal:prepare), the server alone is checked.
    if (options.namespaceMustExist === false) await connection.workflowService.getSystemInfo({});
    else await connection.workflowService.describeNamespace({ namespace: settings.namespace });
  })();
  try {
    await Promise.race([attempt, timedOut]);
  } catch (err) {
    throw new ConfigError(`Temporal is not usable with these settings:\n  ${explainConnectFailure(settings, err)}`, {
      cause: err,
    });
  } finally {
    clearTimeout(timer);
    // Closed however the attempt ends; a connection made after the deadline is closed when it arrives.
    const close = () => connection?.close().catch(() => undefined);
    void attempt.then(close, close);
  }
}

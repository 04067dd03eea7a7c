import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync } from 'node:fs';
import {
  loadClientConfigProfile,
  loadConfigData,
  type ClientConfigProfile,
  type ConfigDataSource,
} from '@temporalio/envconfig';
import type { TLSConfig } from '@temporalio/client';

// How every Temporal connection of the service (the API's client, the worker, scripts, benches) is configured:
// through the SDK's envconfig, with the Temporal CLI's own variables and profile file, so one profile serves both.
// Everything that can be checked without the server is checked here, and each problem names its setting.

/** What a connection needs: the frontend, and how to authenticate to it. */
export interface TemporalEndpoint {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
  metadata?: Record<string, string>;
}

export interface TemporalSettings extends TemporalEndpoint {
  namespace: string;
  /** An address was configured (variable or profile): the service uses that Temporal and starts no dev server. */
  configured: boolean;
  /** The setting behind each part, as a person would write it, for messages that name it. */
  names: Record<SettingPart, string>;
  /** One line for start-up notices, with no secret in it. */
  summary: string;
}

type SettingPart = 'address' | 'namespace' | 'apiKey' | 'clientCert' | 'clientKey' | 'serverCa' | 'serverName';

const VARIABLES: Record<SettingPart, { variable: string; key: string }> = {
  address: { variable: 'TEMPORAL_ADDRESS', key: 'address' },
  namespace: { variable: 'TEMPORAL_NAMESPACE', key: 'namespace' },
  apiKey: { variable: 'TEMPORAL_API_KEY', key: 'api_key' },
  clientCert: { variable: 'TEMPORAL_TLS_CLIENT_CERT_PATH', key: 'tls.client_cert_path' },
  clientKey: { variable: 'TEMPORAL_TLS_CLIENT_KEY_PATH', key: 'tls.client_key_path' },
  serverCa: { variable: 'TEMPORAL_TLS_SERVER_CA_CERT_PATH', key: 'tls.server_ca_cert_path' },
  serverName: { variable: 'TEMPORAL_TLS_SERVER_NAME', key: 'tls.server_name' },
};

export class TemporalSettingsError extends Error {
  override name = 'TemporalSettingsError';
}

/** The variables that are set and not empty: an empty variable means unset, as in the rest of the configuration. */
function setVariables(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter(
      (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[1].trim() !== '',
    ),
  );
}

/**
 * The profile file is read only when TEMPORAL_PROFILE or TEMPORAL_CONFIG_FILE asks for it: `npm start` with nothing
 * set must start its dev server even on a laptop whose CLI profile points at a production cluster.
 */
function readProfile(env: Record<string, string>): { profile: ClientConfigProfile; where: string } {
  const useFile = Boolean(env.TEMPORAL_PROFILE || env.TEMPORAL_CONFIG_FILE);
  if (env.TEMPORAL_CONFIG_FILE && !existsSync(env.TEMPORAL_CONFIG_FILE)) {
    throw new TemporalSettingsError(
      `TEMPORAL_CONFIG_FILE=${env.TEMPORAL_CONFIG_FILE}: no such file; write it with \`temporal config set\` or unset the variable`,
    );
  }
  const where = `profile "${env.TEMPORAL_PROFILE ?? 'default'}" of ${env.TEMPORAL_CONFIG_FILE ?? "the Temporal CLI's config file"}`;
  try {
    return { profile: loadClientConfigProfile({ disableFile: !useFile, overrideEnvVars: env }), where };
  } catch (err) {
    const message = (err as Error).message;
    if (/Profile '.*' not found/.test(message)) {
      throw new TemporalSettingsError(
        `TEMPORAL_PROFILE=${env.TEMPORAL_PROFILE}: no such profile in ${env.TEMPORAL_CONFIG_FILE ?? "the Temporal CLI's config file"}; list them with \`temporal config list\``,
      );
    }
    const file = env.TEMPORAL_CONFIG_FILE ?? "the Temporal CLI's config file";
    // A TOML error quotes the lines around it, which may hold an API key or a key's data: only where it is.
    const { line, column } = err as { line?: number; column?: number };
    if ((err as Error).name === 'TomlError')
      throw new TemporalSettingsError(
        `${file} is not valid TOML (line ${line}, column ${column}); check it with \`temporal config list\``,
      );
    const both = /Cannot specify both (\w+)_path and \w+_data/.exec(message);
    if (both) {
      throw new TemporalSettingsError(
        `${file}, ${where}: tls.${both[1]}_path and tls.${both[1]}_data are both given (a TEMPORAL_TLS_*_PATH variable cannot replace the profile's *_data); keep one`,
      );
    }
    throw new TemporalSettingsError(`${file} cannot be used: ${message}`);
  }
}

/** Reads a certificate or key named by a setting; the message never holds the file's contents. */
function readSource(source: ConfigDataSource | undefined, setting: string): Buffer | undefined {
  if (!source) return undefined;
  try {
    const data = loadConfigData(source);
    return data ? Buffer.from(data) : undefined;
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new TemporalSettingsError(
      `${setting}: cannot read the file (${code ?? (err as Error).message}); check the path and that this user may read it`,
    );
  }
}

function certificate(pem: Buffer, setting: string): X509Certificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pem);
  } catch {
    throw new TemporalSettingsError(
      `${setting}: not a PEM certificate; give the path of a file that starts with -----BEGIN CERTIFICATE-----`,
    );
  }
  if (new Date(cert.validTo).getTime() < Date.now()) {
    throw new TemporalSettingsError(
      `${setting}: the certificate (${cert.subject.replace(/\n/g, ', ')}) expired on ${cert.validTo}; renew it`,
    );
  }
  return cert;
}

function privateKey(pem: Buffer, setting: string): KeyObject {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new TemporalSettingsError(
      `${setting}: not a PEM private key (or one with a passphrase, which is not supported); give the path of the unencrypted key`,
    );
  }
}

/** Reads TEMPORAL_* (and the profile they name), checks what can be checked offline, and says which setting is wrong. */
export function loadTemporalSettings(env: NodeJS.ProcessEnv, defaults: { port: number }): TemporalSettings {
  const vars = setVariables(env);
  const { profile, where } = readProfile(vars);
  const fromFile = Boolean(vars.TEMPORAL_PROFILE || vars.TEMPORAL_CONFIG_FILE);
  // A value from a variable, or a default, is named by its variable; one that the profile gave, by its key there.
  const name = (part: SettingPart, value: string | undefined, inProfile = value !== undefined) => {
    const { variable, key } = VARIABLES[part];
    const shown = value === undefined ? '' : `=${value}`;
    return fromFile && inProfile && vars[variable] === undefined ? `${key}${shown} in ${where}` : `${variable}${shown}`;
  };
  const tls = profile.tls;
  const source = (data: ConfigDataSource | undefined) => (data && 'path' in data ? data.path : undefined);
  const names: Record<SettingPart, string> = {
    address: name('address', profile.address),
    namespace: name('namespace', profile.namespace ?? 'default', profile.namespace !== undefined),
    apiKey: name('apiKey', undefined, profile.apiKey !== undefined),
    clientCert: name('clientCert', source(tls?.clientCert)),
    clientKey: name('clientKey', source(tls?.clientKey)),
    serverCa: name('serverCa', source(tls?.serverCACert)),
    serverName: name('serverName', tls?.serverName),
  };

  if (
    profile.address !== undefined &&
    !/^[^\s:]+:\d+$/.test(profile.address) &&
    !/^\[[0-9a-fA-F:]+\]:\d+$/.test(profile.address)
  ) {
    throw new TemporalSettingsError(`${names.address}: expected host:port, for example temporal.internal:7233`);
  }
  if (profile.address === undefined && (profile.apiKey || (profile.tls && !profile.tls.disabled))) {
    // Most likely a shell that kept a cluster's variables: the dev server `npm start` would run speaks neither.
    throw new TemporalSettingsError(
      `TLS or an API key is set (${profile.apiKey ? names.apiKey : 'TEMPORAL_TLS_*'}) but no address: set TEMPORAL_ADDRESS to your Temporal, or unset them to run on the dev server`,
    );
  }
  const address = profile.address ?? `127.0.0.1:${defaults.port}`;
  const namespace = profile.namespace ?? 'default';

  let tlsConfig: TLSConfig | boolean | undefined;
  let described = 'no TLS';
  if (tls?.disabled) {
    if (profile.apiKey)
      throw new TemporalSettingsError(
        `TEMPORAL_TLS=false with an API key: the key would cross the network in the clear; turn TLS on`,
      );
    tlsConfig = false;
  } else if (tls || profile.apiKey) {
    const crt = readSource(tls?.clientCert, names.clientCert);
    const key = readSource(tls?.clientKey, names.clientKey);
    const ca = readSource(tls?.serverCACert, names.serverCa);
    if (Boolean(crt) !== Boolean(key)) {
      throw new TemporalSettingsError(
        crt
          ? `${names.clientCert} is set but no client key is: set TEMPORAL_TLS_CLIENT_KEY_PATH too`
          : `${names.clientKey} is set but no client certificate is: set TEMPORAL_TLS_CLIENT_CERT_PATH too`,
      );
    }
    if (crt && key) {
      const cert = certificate(crt, names.clientCert);
      if (!cert.checkPrivateKey(privateKey(key, names.clientKey))) {
        throw new TemporalSettingsError(
          `${names.clientKey}: this key does not belong to the certificate in ${names.clientCert}; give the key the certificate was issued for`,
        );
      }
      described = `mutual TLS as ${cert.subject.replace(/\n/g, ', ')}`;
    } else {
      described = 'TLS';
    }
    if (ca) {
      const caCert = certificate(ca, names.serverCa);
      if (!caCert.ca)
        throw new TemporalSettingsError(
          `${names.serverCa}: this certificate is not a CA (basicConstraints CA:FALSE); give the CA that signed the server's certificate`,
        );
      described += `, server CA ${caCert.subject.replace(/\n/g, ', ')}`;
    } else {
      described += ', server checked against the system CAs';
    }
    tlsConfig = {
      ...(tls?.serverName ? { serverNameOverride: tls.serverName } : {}),
      ...(ca ? { serverRootCACertificate: ca } : {}),
      ...(crt && key ? { clientCertPair: { crt, key } } : {}),
    };
  }
  if (profile.apiKey) described += ', API key';

  return {
    address,
    namespace,
    configured: profile.address !== undefined,
    ...(tlsConfig !== undefined ? { tls: tlsConfig } : {}),
    ...(profile.apiKey ? { apiKey: profile.apiKey } : {}),
    ...(profile.grpcMeta && Object.keys(profile.grpcMeta).length > 0 ? { metadata: profile.grpcMeta } : {}),
    names,
    summary: `${address}, namespace ${namespace}, ${described}`,
  };
}

/** The endpoint alone, as the connections take it. */
export function temporalEndpoint(settings: TemporalEndpoint): TemporalEndpoint {
  return {
    address: settings.address,
    ...(settings.tls !== undefined ? { tls: settings.tls } : {}),
    ...(settings.apiKey ? { apiKey: settings.apiKey } : {}),
    ...(settings.metadata ? { metadata: settings.metadata } : {}),
  };
}

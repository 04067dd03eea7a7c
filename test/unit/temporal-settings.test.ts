import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../config/config';
import { explainConnectFailure } from '../../config/temporal-check';
import { ensureCertificates } from '../../scripts/cluster/certificates';

// TEMPORAL_* and the Temporal CLI's profile file, read through @temporalio/envconfig, checked before any connection.
describe('Temporal connection settings', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'temporal-settings-'));
  const ours = ensureCertificates(path.join(dir, 'ours'));
  const theirs = ensureCertificates(path.join(dir, 'theirs'), { commonName: 'theirs' });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const mtls = {
    TEMPORAL_ADDRESS: 'temporal.internal:7233',
    TEMPORAL_TLS_CLIENT_CERT_PATH: ours.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: ours.clientKey,
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: ours.caCert,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  };
  /** The message of the ConfigError that loading `env` throws. */
  const refusal = (env: Record<string, string>) => {
    try {
      loadConfig(env);
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      return (err as Error).message;
    }
    throw new Error('loadConfig accepted the settings');
  };
  const keyText = (file: string) => readFileSync(file, 'utf8').split('\n')[1]!;

  it("reads mutual TLS from the CLI's variables, and names the client in its summary", () => {
    const { temporal } = loadConfig(mtls);
    expect(temporal).toMatchObject({ address: 'temporal.internal:7233', namespace: 'default', configured: true });
    expect(temporal.tls).toMatchObject({
      serverNameOverride: 'localhost',
      serverRootCACertificate: readFileSync(ours.caCert),
      clientCertPair: { crt: readFileSync(ours.clientCert) },
    });
    expect(temporal.summary).toBe(
      'temporal.internal:7233, namespace default, mutual TLS as CN=machine-images cluster client, server CA CN=machine-images cluster CA',
    );
  });

  it("reads a profile of the CLI's config file when TEMPORAL_PROFILE names it, and lets a variable override it", () => {
    const file = path.join(dir, 'temporal.toml');
    writeFileSync(
      file,
      [
        '[profile.prod]',
        'address = "prod.tmprl.cloud:7233"',
        'namespace = "images.a1b2c"',
        'api_key = "secret-api-key-value"',
        '',
        '[profile.selfhosted]',
        'address = "temporal.internal:7233"',
        '[profile.selfhosted.tls]',
        `client_cert_path = "${ours.clientCert}"`,
        `client_key_path = "${ours.clientKey}"`,
        `server_ca_cert_path = "${ours.caCert}"`,
        '',
      ].join('\n'),
    );
    const cloud = loadConfig({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
    expect(cloud.TEMPORAL_NAMESPACE, "the profile's namespace is the service's").toBe('images.a1b2c');
    expect(cloud.TEMPORAL_ADDRESS).toBe('prod.tmprl.cloud:7233');
    expect(cloud.temporal).toMatchObject({ apiKey: 'secret-api-key-value', tls: {}, configured: true });
    expect(cloud.temporal.summary).toBe(
      'prod.tmprl.cloud:7233, namespace images.a1b2c, TLS, server checked against the system CAs, API key',
    );
    expect(cloud.temporal.summary).not.toContain('secret-api-key-value');
    const overridden = loadConfig({
      TEMPORAL_CONFIG_FILE: file,
      TEMPORAL_PROFILE: 'selfhosted',
      TEMPORAL_NAMESPACE: 'staging',
    });
    expect(overridden.temporal).toMatchObject({ address: 'temporal.internal:7233', namespace: 'staging' });
    expect(overridden.temporal.summary).toContain('mutual TLS');
    // What the profile gave is named by its key there, what a variable gave by the variable.
    expect(overridden.temporal.names).toMatchObject({
      address: `address=temporal.internal:7233 in profile "selfhosted" of ${file}`,
      clientCert: `tls.client_cert_path=${ours.clientCert} in profile "selfhosted" of ${file}`,
      namespace: 'TEMPORAL_NAMESPACE=staging',
    });
  });

  it("ignores the CLI's config file unless asked, so npm start with nothing set still runs its dev server", () => {
    const home = mkdtempSync(path.join(dir, 'home-'));
    writeFileSync(path.join(home, 'temporal.toml'), '[profile.default]\naddress = "prod.example:7233"\n');
    const config = loadConfig({ HOME: home, XDG_CONFIG_HOME: home });
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.temporal).toMatchObject({ address: '127.0.0.1:7233', configured: false });
  });

  it('names the setting at fault, and what to do, for each thing it can check without the server', () => {
    expect(refusal({ TEMPORAL_PROFILE: 'nope', TEMPORAL_CONFIG_FILE: path.join(dir, 'temporal.toml') })).toMatch(
      /TEMPORAL_PROFILE=nope: no such profile/,
    );
    expect(refusal({ TEMPORAL_CONFIG_FILE: '/no/such.toml' })).toMatch(
      /TEMPORAL_CONFIG_FILE=\/no\/such.toml: no such file/,
    );
    expect(refusal({ ...mtls, TEMPORAL_TLS_CLIENT_CERT_PATH: '/no/client.pem' })).toMatch(
      /TEMPORAL_TLS_CLIENT_CERT_PATH=\/no\/client.pem: cannot read the file \(ENOENT\)/,
    );
    expect(refusal({ ...mtls, TEMPORAL_TLS_SERVER_CA_CERT_PATH: ours.caKey })).toMatch(
      /TEMPORAL_TLS_SERVER_CA_CERT_PATH=.*ca.key: not a PEM certificate/,
    );
    expect(refusal({ ...mtls, TEMPORAL_TLS_SERVER_CA_CERT_PATH: ours.serverCert })).toMatch(
      /TEMPORAL_TLS_SERVER_CA_CERT_PATH=.*: this certificate is not a CA/,
    );
    expect(refusal({ ...mtls, TEMPORAL_TLS_CLIENT_KEY_PATH: ours.clientCert })).toMatch(
      /TEMPORAL_TLS_CLIENT_KEY_PATH=.*: not a PEM private key/,
    );
    const TEMPORAL_TLS_CLIENT_KEY_PATH = theirs.clientKey;
    const mismatch = refusal({ ...mtls, TEMPORAL_TLS_CLIENT_KEY_PATH });
    expect(mismatch).toMatch(
      /TEMPORAL_TLS_CLIENT_KEY_PATH=.*theirs\/client.key: this key does not belong to the certificate in TEMPORAL_TLS_CLIENT_CERT_PATH=/,
    );
    expect(mismatch, 'never a key').not.toContain(keyText(theirs.clientKey));
    expect(refusal({ ...mtls, TEMPORAL_TLS_CLIENT_KEY_PATH: '' })).toMatch(
      /TEMPORAL_TLS_CLIENT_CERT_PATH=.* is set but no client key is/,
    );
    expect(refusal({ TEMPORAL_ADDRESS: 'x:1', TEMPORAL_TLS: 'false', TEMPORAL_API_KEY: 'k' })).toMatch(
      /TEMPORAL_TLS=false with an API key/,
    );
  });

  it('explains what the server said in the words of the setting to fix', () => {
    const { temporal } = loadConfig(mtls);
    const said = (message: string, code?: number) =>
      explainConnectFailure(temporal, Object.assign(new Error(message), code === undefined ? {} : { code }));
    expect(said('InvalidCertificate(UnknownIssuer)')).toMatch(
      /^TEMPORAL_TLS_SERVER_CA_CERT_PATH=.*: the certificate that temporal.internal:7233 presented is not signed by this CA/,
    );
    expect(said('received fatal alert: UnknownCA')).toMatch(
      /^TEMPORAL_TLS_CLIENT_CERT_PATH=.*: temporal.internal:7233 refused this client certificate/,
    );
    expect(said('NotValidForNameContext { expected: DnsName("localhost") }')).toMatch(
      /^TEMPORAL_TLS_SERVER_NAME=localhost: /,
    );
    expect(said('Namespace images is not found.', 5)).toMatch(
      /^TEMPORAL_NAMESPACE=default: namespace "default" does not exist/,
    );
    expect(said('Connection refused')).toMatch(/^TEMPORAL_ADDRESS=temporal.internal:7233: no Temporal server answered/);
  });
});

import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// A private CA and the certificates a mutual-TLS Temporal frontend needs, made with openssl: the server's (also a
// client certificate, for a server whose services call each other over TLS, as docker-compose.tls.yml's does; for
// localhost and 127.0.0.1 unless told other names), and one client certificate that the service, the temporal CLI and the server's own
// system worker present. Every file is 0600 in a 0700 folder: they hold private keys.

export interface ClusterCertificates {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

export function certificatePaths(dir: string): ClusterCertificates {
  const file = (name: string) => path.join(dir, name);
  return {
    dir,
    caCert: file('ca.pem'),
    caKey: file('ca.key'),
    serverCert: file('server.pem'),
    serverKey: file('server.key'),
    clientCert: file('client.pem'),
    clientKey: file('client.key'),
  };
}

const openssl = (args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
const newKey = (file: string) =>
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file]);

function signedBy(certs: ClusterCertificates, name: 'server' | 'client', subject: string, extensions: string): void {
  const key = name === 'server' ? certs.serverKey : certs.clientKey;
  const cert = name === 'server' ? certs.serverCert : certs.clientCert;
  const request = path.join(certs.dir, `${name}.csr`);
  const extFile = path.join(certs.dir, `${name}.ext`);
  newKey(key);
  openssl(['req', '-new', '-key', key, '-subj', subject, '-out', request]);
  writeFileSync(extFile, extensions);
  openssl([
    'x509',
    '-req',
    '-in',
    request,
    '-CA',
    certs.caCert,
    '-CAkey',
    certs.caKey,
    '-CAcreateserial',
    '-days',
    '825',
    '-sha256',
    '-extfile',
    extFile,
    '-out',
    cert,
  ]);
  rmSync(request);
  rmSync(extFile);
}

/** Makes the CA and both certificates in `dir` unless they are there already (a restarted cluster keeps its CA). */
export function ensureCertificates(
  dir: string,
  options: { commonName?: string; serverNames?: string[] } = {},
): ClusterCertificates {
  const commonName = options.commonName ?? 'machine-images cluster';
  const names = options.serverNames ?? ['localhost', '127.0.0.1'];
  const subjectAltName = names.map((name) => (/^[\d.]+$|:/.test(name) ? `IP:${name}` : `DNS:${name}`)).join(',');
  const certs = certificatePaths(dir);
  if (
    [certs.caCert, certs.serverCert, certs.serverKey, certs.clientCert, certs.clientKey].every((file) =>
      existsSync(file),
    )
  )
    return certs;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  newKey(certs.caKey);
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    certs.caKey,
    '-sha256',
    '-days',
    '3650',
    '-subj',
    `/CN=${commonName} CA`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    certs.caCert,
  ]);
  signedBy(
    certs,
    'server',
    `/CN=${names[0]}`,
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth,clientAuth\nsubjectAltName=${subjectAltName}\n`,
  );
  signedBy(
    certs,
    'client',
    `/CN=${commonName} client`,
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
  );
  for (const file of readdirSync(dir)) chmodSync(path.join(dir, file), 0o600);
  return certs;
}

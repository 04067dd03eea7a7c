import path from 'node:path';
import { ensureCertificates } from './certificates';

// `npm run cluster:certs -- DIR [SERVER_NAME ...]`: a CA, a server certificate for those names (localhost and
// 127.0.0.1 by default) and a client certificate, for a cluster of your own (docker-compose.tls.yml uses `temporal`).
const [dir, ...serverNames] = process.argv.slice(2);
if (!dir) {
  console.error('usage: npm run cluster:certs -- DIR [SERVER_NAME ...]');
  process.exit(2);
}
const certs = ensureCertificates(path.resolve(dir), serverNames.length > 0 ? { serverNames } : {});
console.log(`certificates in ${certs.dir} (0600): ca.pem, server.pem + server.key, client.pem + client.key`);

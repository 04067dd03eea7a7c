import { parseArgs } from 'node:util';
import { loadConfig, type Config } from '../config/config';
import { FileKeyStore } from '../secrets/file-key-store';
import type { Keyring } from '../secrets/keyring';
import { keyStoreFile, keyStoreKeyring, payloadCodecKeyring } from '../secrets/service-keyrings';

// `npm run keys:rotate`: a new current key for the key store and the payload codec (when they come from key files
// under DATA_DIR), then every key store row re-sealed under the key store's new key. Prints key ids, never a key.
//   -- --key-store      only the key store;   -- --payload-codec   only the payload codec
//   -- --reseal         rotate nothing: re-seal the key store under its current key (after editing KEY_STORE_MASTER_KEY)

const say = (line: string) => console.log(line);

function rotate(keyring: Keyring, what: string): boolean {
  if (!keyring.file) {
    say(`${what}: keys come from ${keyring.source}, which this script does not change.`);
    say(
      `  To rotate: put a new id:key first in ${keyring.source} (openssl rand -base64 32), keep the old ones after it, restart the API and worker.`,
    );
    return false;
  }
  const before = keyring.ids;
  const added = keyring.rotate();
  say(
    `${what} (${keyring.file}): new current key "${added.id}"; kept ${before.map((id) => `"${id}"`).join(', ')} for what they sealed.`,
  );
  return true;
}

function reseal(config: Config, keyring: Keyring): void {
  const store = new FileKeyStore(keyStoreFile(config), keyring);
  try {
    const report = store.reseal();
    say(
      `key store (${keyStoreFile(config)}): re-sealed ${report.resealed} secret(s) under "${report.currentKeyId}"; ${report.alreadyCurrent} already were.`,
    );
    for (const failure of report.failed)
      say(`  could not re-seal ${failure.ref} (key "${failure.keyId}"): ${failure.reason}`);
    const usage = store.keyUsage();
    const retirable = keyring.ids.filter((id) => id !== report.currentKeyId && !usage[id]);
    if (retirable.length && keyring.file) {
      say(
        `  No secret is sealed under ${retirable.map((id) => `"${id}"`).join(', ')} now. Once every API and worker process has restarted and`,
      );
      say(
        `  another \`npm run keys:rotate -- --reseal\` still says so, those lines can be removed from ${keyring.file}.`,
      );
    }
    if (report.failed.length) process.exitCode = 1;
  } finally {
    store.close();
  }
}

async function run(): Promise<void> {
  const { values } = parseArgs({
    options: { 'key-store': { type: 'boolean' }, 'payload-codec': { type: 'boolean' }, reseal: { type: 'boolean' } },
  });
  const config = loadConfig();
  const both = !values['key-store'] && !values['payload-codec'];
  let rotated = false;

  if (values['key-store'] || both || values.reseal) {
    const keyring = keyStoreKeyring(config);
    if (!values.reseal) rotated = rotate(keyring, 'key store master key') || rotated;
    reseal(config, keyring);
  }
  if ((values['payload-codec'] || both) && !values.reseal) {
    const keyring = payloadCodecKeyring(config);
    if (rotate(keyring, 'payload codec key')) {
      rotated = true;
      say(
        '  Workflow histories cannot be re-encrypted: keep the old keys while any history sealed under them is retained.',
      );
    }
    if (config.PAYLOAD_CODEC === 'off') say('  PAYLOAD_CODEC=off: no payload is encrypted until it is on again.');
  }
  if (rotated)
    say(
      'Restart the API and the worker so that they seal under the new keys (until then they seal under the old ones, which stay valid).',
    );
}

run().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

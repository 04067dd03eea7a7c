import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// A set of named AES-256 keys: the first (current) seals, every one opens, so a key can be rotated without losing
// what the older ones sealed. From an environment value (`id1:base64,id2:base64`) or from a key file with mode 0600.

export interface NamedKey {
  readonly id: string;
  readonly key: Buffer;
}

/** The id of a bare key, as the single-key files and variables made before keyrings hold them. */
export const LEGACY_KEY_ID = 'k1';
const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAKE_ONE = 'make one with: openssl rand -base64 32';

/** Reads `id:base64` entries separated by commas or lines (`#` lines are comments); a lone bare value is key k1. */
export function parseKeys(text: string, source: string): NamedKey[] {
  const entries = text
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .flatMap((line) => line.split(','))
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw new Error(`${source} holds no key; write id:base64 (${MAKE_ONE})`);
  const keys = entries.map((entry, index): NamedKey => {
    const colon = entry.indexOf(':');
    if (colon < 0 && entries.length > 1)
      throw new Error(`${source}: entry ${index + 1} has no key id; write every key as id:base64`);
    const id = colon < 0 ? LEGACY_KEY_ID : entry.slice(0, colon).trim();
    const value = colon < 0 ? entry : entry.slice(colon + 1).trim();
    // The id is not echoed when malformed: a key pasted in its place must not reach a log.
    if (!KEY_ID.test(id))
      throw new Error(
        `${source}: entry ${index + 1} has a malformed key id; use 1 to 64 letters, digits, dots, hyphens or underscores`,
      );
    const key = Buffer.from(value, 'base64');
    if (!BASE64.test(value) || key.length !== 32)
      throw new Error(`${source}: key "${id}" is not base64 of exactly 32 bytes; ${MAKE_ONE}`);
    return { id, key };
  });
  const seen = new Set<string>();
  for (const { id } of keys) {
    if (seen.has(id)) throw new Error(`${source}: key id "${id}" appears twice; give every key its own id`);
    seen.add(id);
  }
  return keys;
}

function formatKeyFile(keys: readonly NamedKey[]): string {
  const header =
    '# machine-images keyring, newest first: the first key seals, every key opens. Keep this file secret (mode 0600).';
  return [header, ...keys.map((k) => `${k.id}:${k.key.toString('base64')}`)].join('\n') + '\n';
}

function readKeyFile(file: string): NamedKey[] {
  return parseKeys(readFileSync(file, 'utf8'), file);
}

/** Creates `file` whole or not at all: a reader never sees it half written, and an existing file is never replaced. */
function createKeyFile(file: string, keys: readonly NamedKey[]): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.new`;
  writeFileSync(draft, formatKeyFile(keys), { mode: 0o600, flag: 'wx' });
  try {
    // link() fails with EEXIST when another process made the file first: then theirs is the one to use.
    linkSync(draft, file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST') {
      // A filesystem without hard links: 'wx' still never overwrites.
      try {
        writeFileSync(file, formatKeyFile(keys), { mode: 0o600, flag: 'wx' });
      } catch (fallback) {
        if ((fallback as NodeJS.ErrnoException).code !== 'EEXIST') throw fallback;
      }
    }
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Replaces `file` atomically; the fixed draft name doubles as a lock, so two rotations cannot interleave. */
function replaceKeyFile(file: string, keys: readonly NamedKey[]): void {
  const draft = `${file}.rotating`;
  try {
    writeFileSync(draft, formatKeyFile(keys), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new Error(
        `another rotation of ${file} is running; if none is, an interrupted one left ${draft}: remove it and rotate again`,
        { cause: err },
      );
    }
    throw err;
  }
  try {
    renameSync(draft, file);
  } catch (err) {
    rmSync(draft, { force: true });
    throw err;
  }
}

function nextKeyId(keys: readonly NamedKey[]): string {
  const numbers = keys
    .map((k) => /^k(\d+)$/.exec(k.id)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  let next = Math.max(0, ...numbers) + 1;
  while (keys.some((k) => k.id === `k${next}`)) next += 1;
  return `k${next}`;
}

export class Keyring {
  private keys: NamedKey[];

  /** `source` names the variable or file in messages; `file` makes the ring file-backed (re-readable, rotatable). */
  constructor(
    keys: readonly NamedKey[],
    readonly source: string,
    readonly file?: string,
  ) {
    if (keys.length === 0) throw new Error(`${source} holds no key`);
    this.keys = [...keys];
  }

  /** The key that seals. */
  get current(): NamedKey {
    return this.keys[0]!;
  }

  get ids(): string[] {
    return this.keys.map((k) => k.id);
  }

  all(): readonly NamedKey[] {
    return this.keys;
  }

  /** The key named `id`. A file-backed ring re-reads its file once when it lacks it: another process may have rotated. */
  find(id: string): Buffer | undefined {
    const known = this.keys.find((k) => k.id === id);
    if (known || !this.file) return known?.key;
    this.keys = readKeyFile(this.file);
    return this.keys.find((k) => k.id === id)?.key;
  }

  /** Adds a new current key to a file-backed ring and keeps every older one. */
  rotate(): NamedKey {
    if (!this.file) {
      throw new Error(
        `keys from ${this.source} are not rotated here: put a new id:key first in ${this.source} (${MAKE_ONE}), keep the old ones after it, and restart`,
      );
    }
    // From the file as it is now, not as this process first read it.
    const keys = readKeyFile(this.file);
    const added: NamedKey = { id: nextKeyId(keys), key: randomBytes(32) };
    replaceKeyFile(this.file, [added, ...keys]);
    this.keys = [added, ...keys];
    return added;
  }
}

/** A file-backed keyring; the file is generated with one key (mode 0600) when absent. */
export function keyringFromFile(file: string): Keyring {
  if (!existsSync(file)) createKeyFile(file, [{ id: LEGACY_KEY_ID, key: randomBytes(32) }]);
  chmodSync(file, 0o600);
  return new Keyring(readKeyFile(file), file, file);
}

/** The keyring of an environment variable, else of a key file. */
export function loadKeyring(options: { fromEnv?: string | undefined; variable: string; keyFile: string }): Keyring {
  if (options.fromEnv) return new Keyring(parseKeys(options.fromEnv, options.variable), options.variable);
  return keyringFromFile(options.keyFile);
}

import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import type { KeyStore, SecretRef } from './key-store';

// The first key store: SQLite under DATA_DIR, every value sealed with AES-256-GCM under a master key that comes
// from the environment (KEY_STORE_MASTER_KEY, base64 of 32 bytes) or from a generated key file with mode 0600.
// The reference is bound into each seal (additional data), so a sealed value cannot be moved to another reference.

export function loadMasterKey(options: { fromEnv?: string; keyFile: string }): Buffer {
  if (options.fromEnv) {
    const key = Buffer.from(options.fromEnv, 'base64');
    if (key.length !== 32) throw new Error('KEY_STORE_MASTER_KEY must be base64 of exactly 32 bytes (openssl rand -base64 32)');
    return key;
  }
  if (!existsSync(options.keyFile)) {
    mkdirSync(path.dirname(options.keyFile), { recursive: true });
    // 'wx': never overwrite a key another process just wrote.
    try {
      writeFileSync(options.keyFile, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  chmodSync(options.keyFile, 0o600);
  const key = Buffer.from(readFileSync(options.keyFile, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${options.keyFile} does not hold a 32-byte base64 key; move it aside to generate a new one`);
  return key;
}

interface Row {
  iv: Buffer;
  tag: Buffer;
  sealed: Buffer;
  key_id: string;
  taken_at: number | null;
}

export class FileKeyStore implements KeyStore {
  private readonly db: Database.Database;
  private readonly keyId: string;

  constructor(file: string, private readonly masterKey: Buffer) {
    mkdirSync(path.dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS secrets (
      ref TEXT PRIMARY KEY, key_id TEXT NOT NULL, iv BLOB NOT NULL, tag BLOB NOT NULL, sealed BLOB NOT NULL,
      created_at INTEGER NOT NULL, taken_at INTEGER)`);
    chmodSync(file, 0o600);
    this.keyId = createHash('sha256').update(masterKey).digest('hex').slice(0, 16);
  }

  private seal(ref: SecretRef, value: string): Pick<Row, 'iv' | 'tag' | 'sealed'> {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.masterKey, iv);
    cipher.setAAD(Buffer.from(ref));
    const sealed = Buffer.concat([cipher.update(value, 'utf8'), cipher.final()]);
    return { iv, tag: cipher.getAuthTag(), sealed };
  }

  private open(ref: SecretRef, row: Row): string {
    if (row.key_id !== this.keyId) throw new Error(`secret ${ref} is sealed under another master key (${row.key_id}); restore that key`);
    const decipher = createDecipheriv('aes-256-gcm', this.masterKey, row.iv);
    decipher.setAAD(Buffer.from(ref));
    decipher.setAuthTag(row.tag);
    return Buffer.concat([decipher.update(row.sealed), decipher.final()]).toString('utf8');
  }

  private row(ref: SecretRef): Row | undefined {
    return this.db.prepare('SELECT iv, tag, sealed, key_id, taken_at FROM secrets WHERE ref = ?').get(ref) as Row | undefined;
  }

  async put(ref: SecretRef, value: string): Promise<void> {
    const sealed = this.seal(ref, value);
    this.db
      .prepare(
        `INSERT INTO secrets (ref, key_id, iv, tag, sealed, created_at) VALUES (@ref, @keyId, @iv, @tag, @sealed, @now)
         ON CONFLICT (ref) DO UPDATE SET key_id = excluded.key_id, iv = excluded.iv, tag = excluded.tag, sealed = excluded.sealed, taken_at = NULL`,
      )
      .run({ ref, keyId: this.keyId, ...sealed, now: Date.now() });
  }

  async get(ref: SecretRef): Promise<string | undefined> {
    const row = this.row(ref);
    return row && this.open(ref, row);
  }

  async getOrCreate(ref: SecretRef, create: () => string): Promise<string> {
    const stored = this.row(ref);
    if (stored) return this.open(ref, stored);
    const value = create();
    const sealed = this.seal(ref, value);
    // INSERT OR IGNORE: when two callers race, the first stored value wins and both read it back.
    this.db
      .prepare('INSERT OR IGNORE INTO secrets (ref, key_id, iv, tag, sealed, created_at) VALUES (@ref, @keyId, @iv, @tag, @sealed, @now)')
      .run({ ref, keyId: this.keyId, ...sealed, now: Date.now() });
    return this.open(ref, this.row(ref)!);
  }

  async takeOnce(ref: SecretRef): Promise<string | 'taken' | undefined> {
    const taken = this.db.transaction(() => {
      const row = this.row(ref);
      if (!row) return undefined;
      if (row.taken_at !== null) return 'taken' as const;
      this.db.prepare('UPDATE secrets SET taken_at = ? WHERE ref = ?').run(Date.now(), ref);
      return row;
    })();
    return taken === undefined || taken === 'taken' ? taken : this.open(ref, taken);
  }

  async delete(ref: SecretRef): Promise<void> {
    this.db.prepare('DELETE FROM secrets WHERE ref = ?').run(ref);
  }

  close(): void {
    this.db.close();
  }
}

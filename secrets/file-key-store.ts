import { createHash } from 'node:crypto';
import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { openBytes, sealBytes } from './aes-gcm';
import type { KeyStore, SecretRef } from './key-store';
import type { Keyring } from './keyring';

// The first key store: SQLite under DATA_DIR, every value sealed with AES-256-GCM under the current key of a master
// keyring (KEY_STORE_MASTER_KEY, or a generated key file with mode 0600). Each row names the key that sealed it, so
// older keys keep opening their rows after a rotation until reseal() moves them to the current key.
// The reference is bound into each seal (additional data), so a sealed value cannot be moved to another reference.

interface Row {
  iv: Buffer;
  tag: Buffer;
  sealed: Buffer;
  key_id: string;
  taken_at: number | null;
}

export interface ResealReport {
  /** Rows now sealed under the current key that were not before. */
  resealed: number;
  /** Rows that already were. */
  alreadyCurrent: number;
  /** Rows no key of the ring opens; they keep their old seal. */
  failed: { ref: SecretRef; keyId: string; reason: string }[];
  currentKeyId: string;
}

/** The id rows got before keyrings: a fingerprint of the single master key. */
const legacyKeyId = (key: Buffer) => createHash('sha256').update(key).digest('hex').slice(0, 16);

export class FileKeyStore implements KeyStore {
  private readonly db: Database.Database;

  constructor(
    file: string,
    private readonly keyring: Keyring,
  ) {
    mkdirSync(path.dirname(file), { recursive: true });
    // Mode 0600 before SQLite opens it: the -wal and -shm files it makes take the database file's mode.
    closeSync(openSync(file, 'a', 0o600));
    for (const part of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(part)) chmodSync(part, 0o600);
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(`CREATE TABLE IF NOT EXISTS secrets (
      ref TEXT PRIMARY KEY, key_id TEXT NOT NULL, iv BLOB NOT NULL, tag BLOB NOT NULL, sealed BLOB NOT NULL,
      created_at INTEGER NOT NULL, taken_at INTEGER)`);
  }

  private seal(
    ref: SecretRef,
    value: string,
    { id, key } = this.keyring.current,
  ): Pick<Row, 'iv' | 'tag' | 'sealed' | 'key_id'> {
    return { ...sealBytes(key, Buffer.from(value, 'utf8'), Buffer.from(ref)), key_id: id };
  }

  private keyFor(keyId: string): Buffer | undefined {
    return this.keyring.find(keyId) ?? this.keyring.all().find((k) => legacyKeyId(k.key) === keyId)?.key;
  }

  private open(ref: SecretRef, row: Row): string {
    const key = this.keyFor(row.key_id);
    if (!key) {
      throw new Error(
        `secret ${ref} is sealed under master key "${row.key_id}", which ${this.keyring.source} does not hold (it holds ${this.keyring.ids.join(', ')}); restore that key`,
      );
    }
    return openBytes(key, row, Buffer.from(ref)).toString('utf8');
  }

  private row(ref: SecretRef): Row | undefined {
    return this.db.prepare('SELECT iv, tag, sealed, key_id, taken_at FROM secrets WHERE ref = ?').get(ref) as
      Row | undefined;
  }

  async put(ref: SecretRef, value: string): Promise<void> {
    this.db
      .prepare(
        `INSERT INTO secrets (ref, key_id, iv, tag, sealed, created_at) VALUES (@ref, @key_id, @iv, @tag, @sealed, @now)
         ON CONFLICT (ref) DO UPDATE SET key_id = excluded.key_id, iv = excluded.iv, tag = excluded.tag, sealed = excluded.sealed, taken_at = NULL`,
      )
      .run({ ref, ...this.seal(ref, value), now: Date.now() });
  }

  async get(ref: SecretRef): Promise<string | undefined> {
    const row = this.row(ref);
    return row && this.open(ref, row);
  }

  async getOrCreate(ref: SecretRef, create: () => string): Promise<string> {
    const stored = this.row(ref);
    if (stored) return this.open(ref, stored);
    // INSERT OR IGNORE: when two callers race, the first stored value wins and both read it back.
    this.db
      .prepare(
        'INSERT OR IGNORE INTO secrets (ref, key_id, iv, tag, sealed, created_at) VALUES (@ref, @key_id, @iv, @tag, @sealed, @now)',
      )
      .run({ ref, ...this.seal(ref, create()), now: Date.now() });
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

  async status(ref: SecretRef): Promise<'stored' | 'taken' | 'absent'> {
    const row = this.db.prepare('SELECT taken_at FROM secrets WHERE ref = ?').get(ref) as
      Pick<Row, 'taken_at'> | undefined;
    if (!row) return 'absent';
    return row.taken_at === null ? 'stored' : 'taken';
  }

  async delete(ref: SecretRef): Promise<void> {
    this.db.prepare('DELETE FROM secrets WHERE ref = ?').run(ref);
  }

  /** Seals every row under the current key, so that the keys before it can be retired; taken marks are kept. */
  reseal(): ResealReport {
    const current = this.keyring.current;
    const report: ResealReport = { resealed: 0, alreadyCurrent: 0, failed: [], currentKeyId: current.id };
    const update = this.db.prepare(
      'UPDATE secrets SET key_id = @key_id, iv = @iv, tag = @tag, sealed = @sealed WHERE ref = @ref',
    );
    // IMMEDIATE: no other process writes a row between our read and our update of it.
    this.db
      .transaction(() => {
        const rows = this.db.prepare('SELECT ref, iv, tag, sealed, key_id, taken_at FROM secrets').all() as (Row & {
          ref: string;
        })[];
        for (const row of rows) {
          if (row.key_id === current.id) {
            report.alreadyCurrent += 1;
            continue;
          }
          try {
            update.run({ ref: row.ref, ...this.seal(row.ref, this.open(row.ref, row), current) });
            report.resealed += 1;
          } catch (err) {
            report.failed.push({ ref: row.ref, keyId: row.key_id, reason: (err as Error).message });
          }
        }
      })
      .immediate();
    return report;
  }

  /** How many rows each key seals, by key id: what a retirement would leave unreadable. */
  keyUsage(): Record<string, number> {
    const rows = this.db.prepare('SELECT key_id, COUNT(*) AS count FROM secrets GROUP BY key_id').all() as {
      key_id: string;
      count: number;
    }[];
    return Object.fromEntries(rows.map((r) => [r.key_id, r.count]));
  }

  close(): void {
    this.db.close();
  }
}

import Database from 'better-sqlite3';

// The simulated cloud's state: one JSON document per resource, in SQLite so that the API process and the
// worker process (and a restarted worker) see the same cloud. WAL lets readers run beside the one writer.

export type ResourceKind = 'image' | 'server' | 'keypair' | 'firewall' | 'volume' | 'guest';

export interface StoredResource<T> {
  id: string;
  kind: ResourceKind;
  region: string;
  clientToken: string | null;
  doc: T;
}

interface Row {
  id: string;
  kind: ResourceKind;
  region: string;
  client_token: string | null;
  doc: string;
}

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS resources (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    region TEXT NOT NULL,
    client_token TEXT,
    seq INTEGER NOT NULL,
    doc TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS resources_by_kind ON resources (kind, region, seq);
  CREATE UNIQUE INDEX IF NOT EXISTS resources_by_token ON resources (kind, region, client_token) WHERE client_token IS NOT NULL;
  CREATE TABLE IF NOT EXISTS fault_counters (operation TEXT PRIMARY KEY, calls INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export class SimStore {
  private readonly db: Database.Database;

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('synchronous = NORMAL');
    this.db.exec(SCHEMA);
  }

  /** Runs `work` as one write transaction (IMMEDIATE: two processes never interleave a read-then-write). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  get<T>(kind: ResourceKind, id: string): StoredResource<T> | undefined {
    const row = this.db.prepare('SELECT * FROM resources WHERE kind = ? AND id = ?').get(kind, id) as Row | undefined;
    return row && toResource<T>(row);
  }

  byToken<T>(kind: ResourceKind, region: string, clientToken: string): StoredResource<T> | undefined {
    const row = this.db
      .prepare('SELECT * FROM resources WHERE kind = ? AND region = ? AND client_token = ?')
      .get(kind, region, clientToken) as Row | undefined;
    return row && toResource<T>(row);
  }

  /** Every resource of a kind in a region, oldest first. */
  list<T>(kind: ResourceKind, region: string): StoredResource<T>[] {
    const rows = this.db.prepare('SELECT * FROM resources WHERE kind = ? AND region = ? ORDER BY seq').all(kind, region) as Row[];
    return rows.map((row) => toResource<T>(row));
  }

  put<T>(resource: StoredResource<T>): void {
    this.db
      .prepare(
        `INSERT INTO resources (id, kind, region, client_token, seq, doc)
         VALUES (@id, @kind, @region, @clientToken, (SELECT COALESCE(MAX(seq), 0) + 1 FROM resources), @doc)
         ON CONFLICT (id) DO UPDATE SET doc = excluded.doc`,
      )
      .run({ ...resource, doc: JSON.stringify(resource.doc) });
  }

  delete(kind: ResourceKind, id: string): void {
    this.db.prepare('DELETE FROM resources WHERE kind = ? AND id = ?').run(kind, id);
  }

  /** Counts a call of an operation; returns its 1-based number across every process sharing the file. */
  countCall(operation: string): number {
    const row = this.db
      .prepare('INSERT INTO fault_counters (operation, calls) VALUES (?, 1) ON CONFLICT (operation) DO UPDATE SET calls = calls + 1 RETURNING calls')
      .get(operation) as { calls: number };
    return row.calls;
  }

  resetCounters(): void {
    this.db.exec('DELETE FROM fault_counters');
  }

  getMeta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  close(): void {
    this.db.close();
  }
}

function toResource<T>(row: Row): StoredResource<T> {
  return { id: row.id, kind: row.kind, region: row.region, clientToken: row.client_token, doc: JSON.parse(row.doc) as T };
}

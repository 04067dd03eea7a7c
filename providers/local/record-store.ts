import Database from 'better-sqlite3';
import { indexOf } from './indexes';

// The record store of the local clouds (the sim, and qemu's records of what it runs): one JSON document per
// resource, in SQLite so that the API process and the worker process (and a restarted worker) see the same cloud.
// WAL lets readers run beside the one writer.

export type ResourceKind = 'image' | 'server' | 'keypair' | 'firewall' | 'volume' | 'guest';

export interface StoredResource<T> {
  id: string;
  kind: ResourceKind;
  region: string;
  clientToken: string | null;
  doc: T;
}

/** Narrows a list to the rows the index can answer for; the caller still filters on what the view decides. */
export interface ListWhere {
  tag?: { key: string; value?: string };
  attachedTo?: string;
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
  CREATE INDEX IF NOT EXISTS resources_by_seq ON resources (seq);
  CREATE UNIQUE INDEX IF NOT EXISTS resources_by_token ON resources (kind, region, client_token) WHERE client_token IS NOT NULL;
  CREATE TABLE IF NOT EXISTS resource_tags (id TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, PRIMARY KEY (id, key));
  CREATE INDEX IF NOT EXISTS resource_tags_by_value ON resource_tags (key, value);
  CREATE TABLE IF NOT EXISTS fault_counters (operation TEXT PRIMARY KEY, calls INTEGER NOT NULL);
  CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

/** The lookups a launch makes, each answered from an index (test/providers/sim.test.ts checks their plans). */
export const LOOKUPS = {
  onServer: 'SELECT * FROM resources WHERE kind = ? AND region = ? AND attached_to = ? ORDER BY seq',
  // CROSS JOIN keeps the tags table first: the few rows with the tag, not every resource of the kind.
  byTag: `SELECT r.* FROM resource_tags t CROSS JOIN resources r ON r.id = t.id
          WHERE t.key = ? AND t.value = ? AND r.kind = ? AND r.region = ? ORDER BY r.seq`,
  // Two range reads of resources_by_end; one OR would read every row of the kind.
  withNoEnd: 'SELECT COUNT(*) AS n FROM resources WHERE kind = ? AND region = ? AND gone_at IS NULL',
  endingAfter: 'SELECT COUNT(*) AS n FROM resources WHERE kind = ? AND region = ? AND gone_at > ?',
} as const;

// Version 2 indexes each row (indexes.ts): the columns and the tags table are added to a version 1 file and filled in.
// Version 3 orders the attachment index by seq and indexes gone_at, so the planner takes them over resources_by_kind.
const VERSION = 3;

export class RecordStore {
  private readonly db: Database.Database;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('busy_timeout = 5000');
    this.db.pragma('synchronous = NORMAL');
    this.transaction(() => this.migrate());
  }

  private migrate(): void {
    this.db.exec(SCHEMA);
    if ((this.db.pragma('user_version', { simple: true }) as number) >= VERSION) return;
    const columns = (this.db.prepare('PRAGMA table_info(resources)').all() as { name: string }[]).map((c) => c.name);
    if (!columns.includes('attached_to')) this.db.exec('ALTER TABLE resources ADD COLUMN attached_to TEXT');
    if (!columns.includes('gone_at')) this.db.exec('ALTER TABLE resources ADD COLUMN gone_at INTEGER');
    this.db.exec(`
      DROP INDEX IF EXISTS resources_by_attachment;
      CREATE INDEX resources_by_attachment ON resources (kind, region, attached_to, seq) WHERE attached_to IS NOT NULL;
      CREATE INDEX IF NOT EXISTS resources_by_end ON resources (kind, region, gone_at);
    `);
    for (const row of this.db.prepare('SELECT * FROM resources').all() as Row[]) this.index(toResource(row));
    this.db.pragma(`user_version = ${VERSION}`);
  }

  /** How SQLite runs a statement (for the tests that keep lookups on their indexes). */
  plan(lookup: keyof typeof LOOKUPS): string {
    const text = LOOKUPS[lookup];
    const args = Array.from({ length: text.split('?').length - 1 }, () => 'x');
    return (this.db.prepare(`EXPLAIN QUERY PLAN ${text}`).all(...args) as { detail: string }[])
      .map((row) => row.detail)
      .join('; ');
  }

  /** better-sqlite3 compiles each statement once per connection: keep them. */
  private sql(text: string): Database.Statement {
    let statement = this.statements.get(text);
    if (!statement) this.statements.set(text, (statement = this.db.prepare(text)));
    return statement;
  }

  /** Runs `work` as one write transaction (IMMEDIATE: two processes never interleave a read-then-write). */
  transaction<T>(work: () => T): T {
    return this.db.transaction(work).immediate();
  }

  get<T>(kind: ResourceKind, id: string): StoredResource<T> | undefined {
    const row = this.sql('SELECT * FROM resources WHERE kind = ? AND id = ?').get(kind, id) as Row | undefined;
    return row && toResource<T>(row);
  }

  byToken<T>(kind: ResourceKind, region: string, clientToken: string): StoredResource<T> | undefined {
    const row = this.sql('SELECT * FROM resources WHERE kind = ? AND region = ? AND client_token = ?').get(
      kind,
      region,
      clientToken,
    ) as Row | undefined;
    return row && toResource<T>(row);
  }

  /** Every resource of a kind in a region, oldest first; only those with the tag or on the server, when given. */
  list<T>(kind: ResourceKind, region: string, where: ListWhere = {}): StoredResource<T>[] {
    const { tag, attachedTo } = where;
    let rows: Row[];
    if (attachedTo !== undefined) {
      rows = this.sql(LOOKUPS.onServer).all(kind, region, attachedTo) as Row[];
    } else if (tag?.value !== undefined) {
      rows = this.sql(LOOKUPS.byTag).all(tag.key, tag.value, kind, region) as Row[];
    } else {
      rows = this.sql('SELECT * FROM resources WHERE kind = ? AND region = ? ORDER BY seq').all(kind, region) as Row[];
    }
    return rows.map((row) => toResource<T>(row));
  }

  /** How many resources of a kind a region holds that are not gone at `now` (a server terminated by then is). */
  countLive(kind: ResourceKind, region: string, now: number): number {
    const count = (sql: string, ...args: unknown[]) => (this.sql(sql).get(...args) as { n: number }).n;
    return count(LOOKUPS.withNoEnd, kind, region) + count(LOOKUPS.endingAfter, kind, region, now);
  }

  put<T>(resource: StoredResource<T>): void {
    const { attachedTo, goneAt } = indexOf(resource.kind, resource.doc);
    this.sql(
      `INSERT INTO resources (id, kind, region, client_token, seq, doc, attached_to, gone_at)
       VALUES (@id, @kind, @region, @clientToken, (SELECT COALESCE(MAX(seq), 0) + 1 FROM resources), @doc, @attachedTo, @goneAt)
       ON CONFLICT (id) DO UPDATE SET doc = excluded.doc, attached_to = excluded.attached_to, gone_at = excluded.gone_at`,
    ).run({ ...resource, doc: JSON.stringify(resource.doc), attachedTo, goneAt });
    this.indexTags(resource);
  }

  delete(kind: ResourceKind, id: string): void {
    this.sql('DELETE FROM resources WHERE kind = ? AND id = ?').run(kind, id);
    this.sql('DELETE FROM resource_tags WHERE id = ?').run(id);
  }

  /** Writes a row's index columns and tags (the migration, for rows written before them). */
  private index<T>(resource: StoredResource<T>): void {
    const { attachedTo, goneAt } = indexOf(resource.kind, resource.doc);
    this.sql('UPDATE resources SET attached_to = ?, gone_at = ? WHERE id = ?').run(attachedTo, goneAt, resource.id);
    this.indexTags(resource);
  }

  private indexTags<T>(resource: StoredResource<T>): void {
    this.sql('DELETE FROM resource_tags WHERE id = ?').run(resource.id);
    const insert = this.sql('INSERT INTO resource_tags (id, key, value) VALUES (?, ?, ?)');
    for (const [key, value] of Object.entries(indexOf(resource.kind, resource.doc).tags))
      insert.run(resource.id, key, value);
  }

  /** Counts a call of an operation; returns its 1-based number across every process sharing the file. */
  countCall(operation: string): number {
    const row = this.sql(
      'INSERT INTO fault_counters (operation, calls) VALUES (?, 1) ON CONFLICT (operation) DO UPDATE SET calls = calls + 1 RETURNING calls',
    ).get(operation) as {
      calls: number;
    };
    return row.calls;
  }

  resetCounters(): void {
    this.db.exec('DELETE FROM fault_counters');
  }

  getMeta(key: string): string | undefined {
    return (this.sql('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.sql('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(
      key,
      value,
    );
  }

  close(): void {
    this.db.close();
  }
}

function toResource<T>(row: Row): StoredResource<T> {
  return {
    id: row.id,
    kind: row.kind,
    region: row.region,
    clientToken: row.client_token,
    doc: JSON.parse(row.doc) as T,
  };
}

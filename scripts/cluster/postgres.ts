import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { passwdEntry } from '../../config/user-cache';
import { spawnGuarded, type GuardedChild } from '../guarded-child';

// A PostgreSQL of the cluster's own, from Debian's packages: its own data folder, its own port on loopback, one
// role with a generated password. PostgreSQL refuses to run as root, so under root it runs as the `postgres` user
// (which Debian's package creates), in a folder that user owns.

export interface PostgresOptions {
  /** The cluster's folder: the password is kept here; the data too, unless running as root. */
  clusterDir: string;
  port: number;
  say: (line: string) => void;
}

export interface Postgres {
  port: number;
  user: string;
  password: string;
  dataDir: string;
  /** Its Unix sockets, beside the data. */
  socketDir: string;
  pids: number[];
  stop(): Promise<void>;
}

const USER = 'temporal';

/** The newest PostgreSQL server Debian installed (/usr/lib/postgresql/<major>/bin), or the one on PATH. */
export function postgresBinDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root)
    ? readdirSync(root).filter((name) => /^\d+$/.test(name) && existsSync(path.join(root, name, 'bin', 'postgres')))
    : [];
  if (majors.length > 0) return path.join(root, String(Math.max(...majors.map(Number))), 'bin');
  try {
    return path.dirname(execFileSync('sh', ['-c', 'command -v postgres'], { encoding: 'utf8' }).trim());
  } catch {
    throw new Error('PostgreSQL is not installed: run `apt-get install postgresql` (Debian) and start again');
  }
}

interface RunAs {
  uid: number;
  gid: number;
}

function postgresUser(): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const entry = passwdEntry('postgres');
  if (!entry)
    throw new Error(
      "running as root, and there is no `postgres` user to run PostgreSQL as: install Debian's postgresql package",
    );
  return { uid: entry.uid, gid: entry.gid };
}

/**
 * Where the data lives: `<clusterDir>/postgres`, or under root a folder in /var/tmp named after it, since the
 * `postgres` user may not pass through the caller's private folders (DATA_DIR is 0700).
 */
function dataDirFor(clusterDir: string, runAs: RunAs | undefined): string {
  if (!runAs) return path.join(clusterDir, 'postgres');
  const key = createHash('sha256').update(path.resolve(clusterDir)).digest('hex').slice(0, 16);
  return path.join('/var/tmp', 'machine-images-postgres', key);
}

function ensureDir(dir: string, runAs: RunAs | undefined): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  if (runAs) chownSync(dir, runAs.uid, runAs.gid);
}

export async function startPostgres(options: PostgresOptions): Promise<Postgres> {
  const bin = postgresBinDir();
  const runAs = postgresUser();
  mkdirSync(options.clusterDir, { recursive: true, mode: 0o700 });
  if (runAs) {
    mkdirSync('/var/tmp/machine-images-postgres', { recursive: true, mode: 0o711 });
    chmodSync('/var/tmp/machine-images-postgres', 0o711);
  }
  const dataDir = dataDirFor(options.clusterDir, runAs);
  const socketDir = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.sockets`);
  const passwordFile = path.join(options.clusterDir, 'postgres-password');
  const exec = (tool: string, args: string[]) =>
    execFileSync(path.join(bin, tool), args, { stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}), cwd: '/' });

  if (!existsSync(path.join(dataDir, 'PG_VERSION'))) {
    ensureDir(dataDir, runAs);
    const password = randomBytes(18).toString('base64url');
    writeFileSync(passwordFile, password, { mode: 0o600 });
    // initdb reads the password from a file the postgres user can read; it is removed at once.
    const pwfile = path.join(dataDir, '..', `${path.basename(dataDir)}.pw`);
    writeFileSync(pwfile, password, { mode: 0o600 });
    if (runAs) chownSync(pwfile, runAs.uid, runAs.gid);
    options.say(`PostgreSQL: initdb ${dataDir}`);
    try {
      exec('initdb', [
        '-D',
        dataDir,
        '-U',
        USER,
        '--pwfile',
        pwfile,
        '--auth',
        'scram-sha-256',
        '-E',
        'UTF8',
        '--locale',
        'C.UTF-8',
      ]);
    } catch (err) {
      rmSync(dataDir, { recursive: true, force: true });
      throw new Error(
        `initdb failed: ${(err as { stderr?: Buffer }).stderr?.toString().trim() ?? (err as Error).message}`,
        { cause: err },
      );
    } finally {
      rmSync(pwfile, { force: true });
    }
  }
  if (!existsSync(passwordFile)) {
    throw new Error(
      `PostgreSQL's data folder ${dataDir} exists but its password file ${passwordFile} does not; remove ${dataDir} to start afresh`,
    );
  }
  const password = readFileSync(passwordFile, 'utf8').trim();
  ensureDir(socketDir, runAs);

  options.say(`PostgreSQL: starting ${path.join(bin, 'postgres')} on 127.0.0.1:${options.port}`);
  const server: GuardedChild = spawnGuarded(
    'postgres',
    path.join(bin, 'postgres'),
    [
      '-D',
      dataDir,
      '-p',
      String(options.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      `unix_socket_directories=${socketDir}`,
      // Two API and two worker replicas, the history, matching, frontend and worker services: well under 200.
      '-c',
      'max_connections=200',
    ],
    { ...(runAs ?? {}), cwd: '/', killAfterMs: 20_000, stopSignal: 'INT' },
  );
  try {
    await waitForPostgres(bin, options.port, server);
  } catch (err) {
    await server.stop();
    throw err;
  }
  return {
    port: options.port,
    user: USER,
    password,
    dataDir,
    socketDir,
    pids: server.child.pid ? [server.child.pid] : [],
    stop: () => server.stop(),
  };
}

async function waitForPostgres(bin: string, port: number, server: GuardedChild, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (server.exited())
      throw new Error(`PostgreSQL exited before accepting connections:\n${server.output().join('\n')}`);
    try {
      execFileSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-q'], { stdio: 'ignore' });
      return;
    } catch {
      if (Date.now() > deadline)
        throw new Error(
          `PostgreSQL did not accept connections on 127.0.0.1:${port} within ${timeoutMs} ms:\n${server.output().join('\n')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

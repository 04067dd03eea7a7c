import { spawn, type ChildProcess } from 'node:child_process';

// The servers that `npm start`, `npm run cluster` and the tests bring up (the dev server, PostgreSQL, the Temporal
// server) run behind a small shell guard, so that no server outlives the process that started it.

/**
 * Runs "$2..." (the server) and stops it with signal $1 on SIGTERM/SIGINT/SIGHUP, or when stdin reaches end of file: the parent
 * holds the other end of that pipe, so its death, however sudden, closes it. Exits with the server's status.
 */
const PARENT_DEATH_GUARD = `
stop_signal=$1; shift
exec 3<&0
"$@" </dev/null &
server=$!
trap 'kill -$stop_signal $server 2>/dev/null' TERM INT HUP
{ while read -r _ <&3; do :; done; kill -$stop_signal $server 2>/dev/null; } &
watcher=$!
status=0
while kill -0 $server 2>/dev/null; do wait $server; status=$?; done
kill $watcher 2>/dev/null
exit $status
`;

export interface GuardedChild {
  child: ChildProcess;
  /** The last lines the server printed, for a message when it fails. */
  output(): string[];
  /** Asks the server to stop; after `killAfterMs`, SIGKILLs the guard's whole process group. Settles when the guard is gone. */
  stop(): Promise<void>;
  /** Whether the server has exited. */
  exited(): boolean;
}

export interface GuardedChildOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** What the server is asked to stop with: TERM by default; PostgreSQL's fast shutdown is INT. */
  stopSignal?: 'TERM' | 'INT';
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  killAfterMs?: number;
  /** Lines of output to keep; 20 by default. */
  keepLines?: number;
  /** Every line the server prints, as it prints it. */
  onLine?: (line: string) => void;
}

export function spawnGuarded(
  name: string,
  command: string,
  args: string[],
  options: GuardedChildOptions = {},
): GuardedChild {
  // Its own process group, so a Ctrl+C reaches us alone and we stop the servers in order.
  const child = spawn(
    'sh',
    ['-c', PARENT_DEATH_GUARD, `${name}-guard`, options.stopSignal ?? 'TERM', command, ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
      detached: true,
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
      ...(options.uid !== undefined ? { uid: options.uid } : {}),
      ...(options.gid !== undefined ? { gid: options.gid } : {}),
    },
  );
  const kept: string[] = [];
  const keepLines = options.keepLines ?? 20;
  const keep = (line: string) => {
    options.onLine?.(line);
    kept.push(line);
    kept.splice(0, Math.max(0, kept.length - keepLines));
  };
  // Whole lines only: a line split across two chunks is one line (the Temporal server's are long JSON).
  for (const stream of [child.stdout, child.stderr]) {
    let partial = '';
    stream?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      lines.filter(Boolean).forEach(keep);
    });
    stream?.on('end', () => partial && keep(partial));
  }
  // A guard that cannot start (no sh, a uid it may not take) is a failure to report, not a crash.
  child.on('error', (err) => keep(`${name}: ${err.message}`));
  const killOnExit = () => child.kill('SIGTERM');
  process.on('exit', killOnExit);
  return {
    child,
    output: () => [...kept],
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      process.off('exit', killOnExit);
      if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      // The guard leads its own process group: past the grace period the server goes with it, not left orphaned.
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, options.killAfterMs ?? 10_000);
      await gone;
      clearTimeout(timer);
    },
  };
}

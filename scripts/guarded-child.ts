import { spawn, type ChildProcess } from 'node:child_process';
import { stopChild } from './stop-child';

// The servers that `npm start`, `npm run cluster` and the tests bring up (the dev server, PostgreSQL, the Temporal
// server) run behind a small shell guard, so that no server outlives the process that started it.

/**
 * Runs "$@" (the server) and stops it on SIGTERM/SIGINT/SIGHUP, or when stdin reaches end of file: the parent
 * holds the other end of that pipe, so its death, however sudden, closes it. Exits with the server's status.
 */
const PARENT_DEATH_GUARD = `
exec 3<&0
"$@" </dev/null &
server=$!
trap 'kill -TERM $server 2>/dev/null' TERM INT HUP
{ while read -r _ <&3; do :; done; kill -TERM $server 2>/dev/null; } &
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
  /** SIGTERM, then SIGKILL after `killAfterMs`; settles when the server is gone. */
  stop(): Promise<void>;
  /** Whether the server has exited. */
  exited(): boolean;
}

export interface GuardedChildOptions {
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Run as this user (PostgreSQL refuses to run as root). */
  uid?: number;
  gid?: number;
  killAfterMs?: number;
  /** Lines of output to keep; 20 by default. */
  keepLines?: number;
  /** Every line the server prints, as it prints it. */
  onLine?: (line: string) => void;
}

export function spawnGuarded(name: string, command: string, args: string[], options: GuardedChildOptions = {}): GuardedChild {
  // Its own process group, so a Ctrl+C reaches us alone and we stop the servers in order.
  const child = spawn('sh', ['-c', PARENT_DEATH_GUARD, `${name}-guard`, command, ...args], {
    stdio: ['pipe', 'pipe', 'pipe'],
    detached: true,
    ...(options.env ? { env: options.env } : {}),
    ...(options.cwd ? { cwd: options.cwd } : {}),
    ...(options.uid !== undefined ? { uid: options.uid } : {}),
    ...(options.gid !== undefined ? { gid: options.gid } : {}),
  });
  const kept: string[] = [];
  const keepLines = options.keepLines ?? 20;
  const keep = (chunk: Buffer) => {
    const lines = chunk.toString().split('\n').filter(Boolean);
    lines.forEach((line) => options.onLine?.(line));
    kept.push(...lines);
    kept.splice(0, Math.max(0, kept.length - keepLines));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killOnExit = () => child.kill('SIGTERM');
  process.on('exit', killOnExit);
  return {
    child,
    output: () => [...kept],
    exited: () => child.exitCode !== null || child.signalCode !== null,
    async stop() {
      process.off('exit', killOnExit);
      await stopChild(child, options.killAfterMs);
    },
  };
}

import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, cpSync, openSync, symlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
// @temporalio/proto is CommonJS: Node's ESM loader sees only its default export.
import proto from '@temporalio/proto';
import { PROJECT_ROOT } from '../config/paths';
import { descendantsOf, isAlive } from '../test/support/processes';

// The chaos benchmark's worker: `node --import tsx worker/main.ts` in a process group of its own, SIGKILLed with
// everything below it a set time after it starts polling, and started again at once, until told to stop.

const { TaskQueueType } = proto.temporal.api.enums.v1;
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * The service's code as it is now, for every worker (and API replica) of the run: an edit to the working tree in the
 * middle of a run would otherwise have workers of two versions replay each other's histories.
 */
export function snapshotServiceCode(into: string, options: { withApi?: boolean } = {}): string {
  for (const dir of [
    ...(options.withApi ? ['api', 'console'] : []),
    'activities',
    'config',
    'domain',
    'guest',
    'providers',
    'secrets',
    'workflows',
    'worker',
    'package.json',
    'tsconfig.json',
  ]) {
    cpSync(path.join(PROJECT_ROOT, dir), path.join(into, dir), { recursive: true });
  }
  symlinkSync(path.join(PROJECT_ROOT, 'node_modules'), path.join(into, 'node_modules'));
  return into;
}

export interface ChaosWorkerOptions {
  /** Where worker/main.ts is run from (snapshotServiceCode). */
  codeDir: string;
  env: NodeJS.ProcessEnv;
  /** Each worker's output is appended here. */
  logFile: string;
  /** Asks Temporal which workers poll: a worker counts from its first poll, not its spawn (bundling takes seconds). */
  client: Client;
  namespace: string;
  taskQueue: string;
  killEveryMs: number;
  /** After this many kills the last worker is left running. */
  maxKills: number;
}

export class ChaosWorkers {
  kills = 0;
  /** Workers that ended without being killed (a crash, or giving up on a lost server). */
  exits: string[] = [];
  /** From spawn to first poll, per worker. */
  readyMs: number[] = [];
  /** Settles when the first worker polls. */
  readonly firstPoll: Promise<void>;
  private polled = () => undefined as void;
  private stopping = false;
  private child: ChildProcess | undefined;
  private wake = () => undefined as void;
  private loop: Promise<void> | undefined;

  constructor(private readonly options: ChaosWorkerOptions) {
    this.firstPoll = new Promise((resolve) => (this.polled = resolve));
  }

  start(): void {
    this.loop = this.run();
  }

  /** Stops the loop and kills the current worker; resolves when no process of it is left. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
  }

  /** SIGKILLs the current worker now, as its lifetime ending would; the loop starts the next one at once. */
  killOnce(): void {
    this.wake();
  }

  /** For a process 'exit' handler, which cannot wait: SIGKILL to the current worker's process group. */
  killNow(): void {
    this.stopping = true;
    if (this.child?.pid === undefined) return;
    try {
      process.kill(-this.child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      const child = this.spawn();
      this.child = child;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      const stopped = new Promise<void>((resolve) => (this.wake = resolve));
      const started = Date.now();
      const ready = await Promise.race([
        this.polling(child, started),
        exited.then(() => false),
        stopped.then(() => false),
      ]);
      if (ready) {
        this.readyMs.push(Date.now() - started);
        this.polled();
        const lifetime =
          this.kills < this.options.maxKills ? sleep(this.options.killEveryMs) : new Promise<void>(() => undefined);
        await Promise.race([lifetime, exited, stopped]);
      }
      const alive = child.exitCode === null && child.signalCode === null;
      if (!alive && !this.stopping) {
        this.exits.push(
          `worker ${child.pid} ended by itself (${child.exitCode ?? child.signalCode}) after ${Date.now() - started} ms`,
        );
        await sleep(500);
        continue;
      }
      await killTree(child, exited);
      if (!this.stopping) this.kills += 1;
    }
  }

  private spawn(): ChildProcess {
    const log = openSync(this.options.logFile, 'a');
    try {
      // Its own process group: one signal reaches tsx's esbuild service and anything else it started.
      return spawn('node', ['--import', 'tsx', 'worker/main.ts'], {
        cwd: this.options.codeDir,
        env: this.options.env,
        stdio: ['ignore', log, log],
        detached: true,
      });
    } finally {
      closeSync(log);
    }
  }

  /** Resolves true once Temporal has seen this process poll the task queue (the SDK's identity is pid@host). */
  private async polling(child: ChildProcess, started: number): Promise<boolean> {
    const identity = `${child.pid}@${hostname()}`;
    const { client, namespace, taskQueue } = this.options;
    while (!this.stopping && child.exitCode === null && child.signalCode === null) {
      const found = await client.workflowService
        .describeTaskQueue({
          namespace,
          taskQueue: { name: taskQueue },
          taskQueueType: TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        })
        .then(({ pollers }) => pollers.some((p) => p.identity === identity))
        // The dev server may be restarting: ask again.
        .catch(() => false);
      if (found) return true;
      // One that never polls (a lost server) is killed like the others.
      if (Date.now() - started > 120_000) return true;
      await sleep(250);
    }
    return false;
  }
}

/** SIGKILL to the process group and to every descendant (in case one left the group); waits until all are gone. */
export async function killTree(child: ChildProcess, exited: Promise<void>): Promise<void> {
  const pid = child.pid;
  if (pid === undefined) return;
  const below = descendantsOf(pid);
  for (const target of [-pid, pid, ...below]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited;
  for (let tries = 0; below.some(isAlive) && tries < 100; tries++) await sleep(50);
}

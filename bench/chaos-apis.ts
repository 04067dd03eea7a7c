import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { killTree } from './chaos-worker';

// The chaos benchmark's API replicas: `node --import tsx api/server.ts` each in a process group of its own, on its
// own loopback port, sharing DATA_DIR (the dev API key, the sim, the key store) and Temporal. One can be SIGKILLed
// with everything below it and started again on the same port.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
/** How long a replica may take from spawn to answering (tsx, the console's bundle, the schedules at start-up). */
const START_TIMEOUT_MS = 120_000;

export interface ChaosApiOptions {
  /** Where api/server.ts is run from (snapshotServiceCode). */
  codeDir: string;
  env: NodeJS.ProcessEnv;
  ports: number[];
  /** Replica i's output is appended to logFile(i). */
  logFile: (replica: number) => string;
}

export class ChaosApis {
  kills = 0;
  /** Replicas that ended without being killed. */
  exits: string[] = [];
  /** From spawn to answering `GET /v1/health`, per start. */
  readyMs: number[] = [];
  readonly urls: string[];
  private readonly children: (ChildProcess | undefined)[] = [];

  constructor(private readonly options: ChaosApiOptions) {
    this.urls = options.ports.map((port) => `http://127.0.0.1:${port}`);
  }

  /** Starts the replicas one after the other, each answering before the next starts. */
  async start(): Promise<void> {
    for (let replica = 0; replica < this.urls.length; replica++) await this.startOne(replica);
  }

  /** SIGKILL to replica i and all below it, then starts it again; resolves once it answers (its downtime, ms). */
  async killAndRestart(replica: number): Promise<number> {
    const child = this.children[replica];
    const killed = Date.now();
    if (child) {
      this.children[replica] = undefined;
      await killTree(child, exitOf(child));
      this.kills += 1;
    }
    await this.startOne(replica);
    return Date.now() - killed;
  }

  /** Kills every replica; resolves when no process of theirs is left. */
  async stop(): Promise<void> {
    const children = this.children.splice(0);
    await Promise.all(children.map((child) => child && killTree(child, exitOf(child))));
  }

  /** For a process 'exit' handler, which cannot wait. */
  killNow(): void {
    for (const child of this.children) {
      if (child?.pid === undefined) continue;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }

  private async startOne(replica: number): Promise<void> {
    const started = Date.now();
    const log = openSync(this.options.logFile(replica), 'a');
    let child: ChildProcess;
    try {
      child = spawn('node', ['--import', 'tsx', 'api/server.ts'], {
        cwd: this.options.codeDir,
        env: { ...this.options.env, PORT: String(this.options.ports[replica]) },
        stdio: ['ignore', log, log],
        detached: true,
      });
    } finally {
      closeSync(log);
    }
    this.children[replica] = child;
    child.once('exit', (code, signal) => {
      // Still ours: nobody killed it.
      if (this.children[replica] === child)
        this.exits.push(`API ${replica + 1} (${child.pid}) ended by itself (${code ?? signal})`);
    });
    const url = `${this.urls[replica]}/v1/health`;
    while (Date.now() - started < START_TIMEOUT_MS) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`API ${replica + 1} exited (${child.exitCode ?? child.signalCode}) before it answered`);
      const answered = await fetch(url, { signal: AbortSignal.timeout(2_000) }).then(
        (response) => response.ok,
        () => false,
      );
      if (answered) {
        this.readyMs.push(Date.now() - started);
        return;
      }
      await sleep(250);
    }
    throw new Error(`API ${replica + 1} did not answer ${url} within ${START_TIMEOUT_MS / 1000} s`);
  }
}

const exitOf = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { PROJECT_ROOT } from '../config/paths';
import { stopChild } from '../scripts/stop-child';
import { descendantsOf } from '../test/support/processes';

// The worker of bench/in-flight.ts as a process of its own, so that its memory is read alone.

export interface WorkerProcess {
  pid: number;
  /** Resident memory now and at its peak (VmHWM), in MiB, of the worker and any process below it. */
  memory(): { rssMiB: number; peakMiB: number };
  stop(): Promise<void>;
}

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0; // gone between the listing and the read
  }
}

/** Starts bench/in-flight-worker.ts with `env` added and resolves once it polls. */
export async function startWorkerProcess(env: Record<string, string>, readyWithinMs = 60_000): Promise<WorkerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'bench/in-flight-worker.ts'], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const killOnExit = () => child.kill('SIGKILL');
  process.on('exit', killOnExit);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    process.off('exit', killOnExit);
    await stopChild(child, 20_000);
  };
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the worker did not poll within ${readyWithinMs} ms:\n${output}`)),
        readyWithinMs,
      );
      child.stdout?.on('data', () => {
        if (!output.includes('worker polling')) return;
        clearTimeout(timer);
        resolve();
      });
      void exited.then(() => {
        clearTimeout(timer);
        reject(new Error(`the worker exited (${child.exitCode ?? child.signalCode}):\n${output}`));
      });
    });
  } catch (err) {
    await stop();
    throw err;
  }
  const pid = child.pid!;
  return {
    pid,
    memory() {
      const pids = [pid, ...descendantsOf(pid)];
      const sum = (field: 'VmRSS' | 'VmHWM') => pids.reduce((total, p) => total + statusKiB(p, field), 0) / 1024;
      return { rssMiB: sum('VmRSS'), peakMiB: sum('VmHWM') };
    },
    stop,
  };
}

/** SIGTERM drains the worker (config/lifecycle.ts); SIGKILL if that takes longer than 20 s. */

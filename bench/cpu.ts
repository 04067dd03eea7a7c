import { readFileSync } from 'node:fs';
import { descendantsOf } from '../test/support/processes';

// Where a run's CPU goes: this process (worker, client and the workflows' threads) and the Temporal server's tree.
// On a 2-core machine throughput is bounded by CPU, so CPU per workflow says what a run costs better than wall time.

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU milliseconds used so far by a process and everything below it. */
export function treeCpuMs(root: number): number {
  let ticks = 0;
  for (const pid of [root, ...descendantsOf(root)]) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // it exited between the listing and the read
    }
  }
  return (ticks * 1000) / TICKS_PER_SECOND;
}

export interface CpuSample {
  selfMs: number;
  serverMs: number;
}

/** This process's CPU and the Temporal server's (`serverCpuMs`: the dev server's tree, or the cluster's with PostgreSQL). */
export function sampleCpu(serverCpuMs: () => number): CpuSample {
  const { user, system } = process.cpuUsage();
  return { selfMs: (user + system) / 1000, serverMs: serverCpuMs() };
}

/** CPU milliseconds per job between two samples, for this process and for the server. */
export function cpuPerJob(before: CpuSample, after: CpuSample, jobs: number): CpuSample {
  return { selfMs: (after.selfMs - before.selfMs) / jobs, serverMs: (after.serverMs - before.serverMs) / jobs };
}

export const cpuRow = (name: string, c: CpuSample): string =>
  `${name.padEnd(22)} CPU per workflow: ${c.selfMs.toFixed(1)} ms worker and client, ${c.serverMs.toFixed(1)} ms Temporal server`;

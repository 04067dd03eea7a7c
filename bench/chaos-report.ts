import type { ReapReport } from '../domain/reaper';
import type { ChaosApis } from './chaos-apis';
import type { Audit } from './chaos-audit';
import type { ApiTarget, ChaosLaunch } from './chaos-launches';
import type { ChaosWorkers } from './chaos-worker';
import { HEADER, percentile, row, type RunFigures } from './figures';

// What the chaos benchmark prints: what was done to it, what became of every launch, and the audit's verdict.

export interface ChaosRun {
  title: string;
  launches: ChaosLaunch[];
  target: ApiTarget;
  workers: ChaosWorkers[];
  /** How the first worker was killed, for its line ("SIGKILL 10 s after polling"). */
  killsDetail: string;
  /** The API replicas, when they run as processes. */
  apis?: { apis: ChaosApis; detail: string };
  restart: { name: string; count: number; detail: string };
  /** With billing-code quotas on: the capped code, its hard quota, and the most servers seen charged to it at once. */
  quota?: { code: string; hard: number; max: number; samples: number; failed: number };
  reaped: ReapReport | string;
  reapedInMs: number;
  audit: Audit;
  figures: RunFigures;
}

export const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

export function printChaos(run: ChaosRun): void {
  const { launches, target, audit } = run;
  const accepted = launches.filter((l) => l.workflowId);
  const retried = [...target.retries.values()].reduce((a, b) => a + b, 0);
  const status = (name: string) => audit.statuses.get(name) ?? 0;
  const ready = run.workers.flatMap((w) => w.readyMs).sort((a, b) => a - b);
  const kills = run.workers.reduce((sum, w) => sum + w.kills, 0);
  const exits = run.workers.flatMap((w) => w.exits);
  console.log(run.title);
  console.log(
    `POSTs: ${accepted.length} accepted (202: ${accepted.filter((l) => l.answer === 202).length}, 200 on a retry: ${accepted.filter((l) => l.answer === 200).length}), retried: ${retried}${retried ? ` (${[...target.retries].map(([why, n]) => `${why}: ${n}`).join(', ')})` : ''}`,
  );
  if (run.apis) {
    const { apis, detail } = run.apis;
    const ready = [...apis.readyMs].sort((a, b) => a - b);
    console.log(
      `API replicas: ${apis.urls.length}, answers ${target.answered.map((n) => n ?? 0).join(' / ')}; API kills: ${apis.kills} (${detail}; spawn to answering p50 ${seconds(percentile(ready, 0.5))}, max ${seconds(ready.at(-1) ?? 0)}); exits of their own: ${apis.exits.length}`,
    );
    for (const exit of apis.exits.slice(0, 5)) console.log(`  ${exit}`);
  }
  console.log(
    `worker kills: ${kills} (${run.killsDetail}; spawn to polling p50 ${seconds(percentile(ready, 0.5))}, max ${seconds(ready.at(-1) ?? 0)}); exits of its own: ${exits.length}`,
  );
  for (const exit of exits.slice(0, 5)) console.log(`  ${exit}`);
  console.log(`${run.restart.name} restarts: ${run.restart.count} (${run.restart.detail})`);
  if (run.quota) {
    const { code, hard, max, samples, failed } = run.quota;
    console.log(
      `quota refusals: ${launches.filter((l) => l.quotaRefused).length} (422 quota_exceeded) of ${launches.filter((l) => l.request.billingCode === code).length} launches charged to ${code}; max charged at once: ${max} of hard quota ${hard} (${samples} samples about 1 s apart${failed ? `, ${failed} unread` : ''})`,
    );
  }
  const terminations = launches.filter((l) => l.termination);
  console.log(
    `terminated from the Temporal side in their volumes: ${terminations.filter((l) => l.termination === 'terminated').length} of ${terminations.length}`,
  );
  for (const l of terminations.filter((t) => t.termination !== 'terminated').slice(0, 5))
    console.log(`  ${l.workflowId}: ${l.termination}`);
  const reaped = run.reaped;
  console.log(
    typeof reaped === 'string'
      ? `reaper pass: ${reaped}`
      : `reaper pass (grace 0 s): removed ${reaped.servers} servers, ${reaped.volumes} volumes, ${reaped.keypairs} key pairs, ${reaped.firewalls} firewalls, ${reaped.secrets} secrets in ${seconds(run.reapedInMs)}`,
  );
  console.log(
    `final: ${accepted.length - status('RUNNING') - status('MISSING')} of ${accepted.length} closed: completed ${status('COMPLETED')}, failed ${status('FAILED')}, cancelled ${status('CANCELLED')}, terminated ${status('TERMINATED')}, timed out ${status('TIMED_OUT')}; open ${status('RUNNING')}`,
  );
  for (const [reason, n] of audit.failures) console.log(`  failed ${n}x: ${reason}`);
  const durations = [...audit.durationsMs].sort((a, b) => a - b);
  console.log(
    `wall time: ${seconds(run.figures.wallMs)}; ${run.figures.perSecond.toFixed(2)} launches/s; launch start to close p50 ${seconds(percentile(durations, 0.5))}, p99 ${seconds(percentile(durations, 0.99))}`,
  );
  console.log(HEADER);
  console.log(row('POST to closed', run.figures));
  console.log('violations:');
  for (const v of audit.violations) {
    console.log(`  ${v.name.padEnd(56)} ${v.count}`);
    for (const example of v.examples) console.log(`    ${example}`);
  }
  console.log(`violations total: ${audit.violations.reduce((sum, v) => sum + v.count, 0)}`);
}

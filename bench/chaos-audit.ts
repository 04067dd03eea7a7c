import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { MANAGED_BY } from '../domain/launch';
import type { Server } from '../domain/server';
import type { Volume } from '../domain/volume';
import type { SimProvider } from '../providers/sim/sim-provider';
import { secretRefs, type KeyStore } from '../secrets/key-store';
import { CAPPED_CODE, isAbandoned, isDoomed, type ChaosLaunch } from './chaos-launches';

// The chaos benchmark's verdict, read from Temporal (every accepted launch has a closed workflow) and from the
// simulated cloud itself (what each launch left behind, found by the `workflow-id` tag every resource carries).

export interface Violation {
  name: string;
  count: number;
  examples: string[];
}

export interface Audit {
  /** Workflow status name (COMPLETED, FAILED, ..., RUNNING, MISSING) → launches. */
  statuses: Map<string, number>;
  /** Start to close, per closed launch, from Temporal's own times. */
  durationsMs: number[];
  /** Why launches failed: the failure's message, ids blanked, → launches. */
  failures: Map<string, number>;
  violations: Violation[];
}

interface Held {
  servers: Server[];
  volumes: Volume[];
  keypairs: string[];
  firewalls: string[];
}

const blankIds = (text: string) =>
  text
    .replace(/\b(i|vol|sg)-[0-9a-f]{17}\b/g, '$1-*')
    .replace(/launch-chaos-[\w-]+/g, 'launch-*')
    .slice(0, 160);

/** Everything tagged managed-by in the sim, by the workflow that made it; terminated servers are gone. */
async function resourcesByLaunch(sim: SimProvider): Promise<Map<string, Held>> {
  const byLaunch = new Map<string, Held>();
  const held = (tags: Record<string, string>) => {
    const id = tags['workflow-id'] ?? '(untagged)';
    if (!byLaunch.has(id)) byLaunch.set(id, { servers: [], volumes: [], keypairs: [], firewalls: [] });
    return byLaunch.get(id)!;
  };
  const managed = { key: 'managed-by', value: MANAGED_BY };
  for (const region of await sim.listRegions()) {
    for (const s of await sim.listServers(region, { tag: managed }))
      if (s.state !== 'terminated') held(s.tags).servers.push(s);
    for (const v of await sim.listVolumes(region, { tag: managed })) held(v.tags).volumes.push(v);
    for (const k of await sim.listKeypairs(region))
      if (k.tags['managed-by'] === MANAGED_BY) held(k.tags).keypairs.push(k.name);
    for (const f of await sim.listFirewalls(region, { tag: managed })) held(f.tags).firewalls.push(f.id);
  }
  return byLaunch;
}

const count = (held: Held | undefined) =>
  held
    ? `${held.servers.length} servers, ${held.volumes.length} volumes, ${held.keypairs.length} key pairs, ${held.firewalls.length} firewalls`
    : 'nothing';

/** What a launch still running is waiting on: its pending activities, their attempts and last failures. */
async function openDetail(client: Client, workflowId: string): Promise<string> {
  const { raw } = await client.workflow.getHandle(workflowId).describe();
  const pending = (raw.pendingActivities ?? []).map(
    (a) =>
      `${a.activityType?.name} attempt ${a.attempt}${a.lastFailure?.message ? ` (${blankIds(a.lastFailure.message)})` : ''}`,
  );
  // A workflow task that keeps failing (a nondeterministic replay) shows only here.
  const task = raw.pendingWorkflowTask ? [`workflow task attempt ${raw.pendingWorkflowTask.attempt}`] : [];
  return `${workflowId}: ${[...pending, ...task].join('; ') || 'nothing pending'}`;
}

/** `workerLog`: what the workers printed, where the SDK reports a replay that went another way (TMPRL1100). */
export async function auditLaunches(
  client: Client,
  sim: SimProvider,
  keys: KeyStore,
  launches: ChaosLaunch[],
  workerLog: string,
): Promise<Audit> {
  const statuses = new Map<string, number>();
  const failures = new Map<string, number>();
  const durationsMs: number[] = [];
  const found = (name: string) => ({ name, count: 0, examples: [] as string[] });
  const v = {
    refused: found('POSTs never accepted'),
    missing: found('accepted without a workflow'),
    open: found('not closed by the deadline'),
    killed: found('ended terminated or timed out unmeant'),
    survived: found('meant to be terminated but were not'),
    servers: found('completed without exactly one server'),
    volumes: found('completed without their volumes attached'),
    network: found('completed without the key pair or firewall made for them'),
    leaked: found('failed, cancelled or terminated leaving resources (after the reaper)'),
    secrets: found('failed, cancelled or terminated leaving key-store entries'),
    outcome: found('meant to fail but completed, or failed unmeant'),
    strays: found('resources of no accepted launch'),
    replays: found('workflow tasks failed as nondeterministic'),
  };
  const note = (violation: Violation, example: string) => {
    violation.count += 1;
    if (violation.examples.length < 5) violation.examples.push(example);
  };
  const byLaunch = await resourcesByLaunch(sim);

  for (const launch of launches) {
    if (!launch.workflowId) {
      // Its code was full: the answer a capped code's launch may get (the quota check is the bench's own).
      if (launch.quotaRefused && launch.request.billingCode === CAPPED_CODE) continue;
      note(v.refused, `${launch.idempotencyKey}: ${launch.refused ?? 'never answered'}`);
      continue;
    }
    const id = launch.workflowId;
    const handle = client.workflow.getHandle(id);
    const status = await handle.describe().then(
      (d) => {
        if (d.closeTime) durationsMs.push(d.closeTime.getTime() - d.startTime.getTime());
        return d.status.name as string;
      },
      (err: unknown) => (err instanceof WorkflowNotFoundError ? 'MISSING' : Promise.reject(err)),
    );
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if ((status === 'COMPLETED' && isDoomed(launch.index)) || (status === 'FAILED' && !isDoomed(launch.index)))
      note(v.outcome, `${id}: ${status}`);
    if (isAbandoned(launch.index) && status !== 'TERMINATED')
      note(v.survived, `${id}: ${status} (${launch.termination ?? 'no termination tried'})`);
    const held = byLaunch.get(id);
    if (status === 'MISSING') note(v.missing, id);
    else if (status === 'RUNNING') note(v.open, await openDetail(client, id));
    else if (status === 'COMPLETED') {
      const servers = held?.servers ?? [];
      if (servers.length !== 1)
        note(v.servers, `${id}: ${servers.length} servers (${servers.map((s) => `${s.id} ${s.state}`).join(', ')})`);
      const disks = (held?.volumes ?? []).filter((vol) => vol.tags.disk !== undefined);
      const attached = disks.filter((vol) => vol.state === 'in-use' && vol.serverId === servers[0]?.id);
      const wanted = launch.request.volumes?.count ?? 0;
      if (disks.length !== wanted || attached.length !== wanted)
        note(v.volumes, `${id}: ${disks.length} volumes, ${attached.length} attached, ${wanted} asked for`);
      const keypairs = launch.request.keypair ? 1 : 0;
      const firewalls = launch.request.firewall ? 1 : 0;
      if ((held?.keypairs.length ?? 0) !== keypairs || (held?.firewalls.length ?? 0) !== firewalls)
        note(v.network, `${id}: ${count(held)}`);
    } else {
      if ((status === 'TERMINATED' && !isAbandoned(launch.index)) || status === 'TIMED_OUT')
        note(v.killed, `${id}: ${status}`);
      if (held && held.servers.length + held.volumes.length + held.keypairs.length + held.firewalls.length > 0)
        note(v.leaked, `${id} (${status}): ${count(held)}`);
      const stored = [];
      for (const ref of [secretRefs.privateKey(id), secretRefs.luksPassphrase(id)])
        if ((await keys.status(ref)) !== 'absent') stored.push(ref);
      if (stored.length) note(v.secrets, `${id} (${status}): ${stored.join(', ')}`);
      if (status === 'FAILED') {
        const reason = await handle.result().then(
          () => 'no failure',
          (err: Error) => blankIds((err.cause as Error | undefined)?.message ?? err.message),
        );
        failures.set(reason, (failures.get(reason) ?? 0) + 1);
      }
    }
  }

  for (const line of workerLog.split('\n')) {
    const at = line.indexOf('[TMPRL1100]');
    if (at < 0) continue;
    const end = line.indexOf('"', at);
    note(v.replays, line.slice(at, end < 0 ? undefined : end).slice(0, 200));
  }
  const accepted = new Set(launches.map((l) => l.workflowId).filter(Boolean));
  for (const [id, held] of byLaunch) if (!accepted.has(id)) note(v.strays, `${id}: ${count(held)}`);
  return { statuses, durationsMs, failures, violations: Object.values(v) };
}

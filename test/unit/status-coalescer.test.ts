import { describe, expect, it } from 'vitest';
import { StatusCoalescer } from '../../activities/status-coalescer';
import { SimProvider } from '../../providers/sim/sim-provider';

const region = 'sim-east-1';

/** The sim, its serverStatuses calls recorded (how many ids each), and nothing else changed. */
function countingSim(faults?: NonNullable<ConstructorParameters<typeof SimProvider>[0]>['faults']) {
  const sim = new SimProvider({ timeScale: 0, quotas: { servers: 1_000 }, ...(faults ? { faults } : {}) });
  const batches: number[] = [];
  const serverStatuses = sim.serverStatuses.bind(sim);
  sim.serverStatuses = (r, ids) => {
    batches.push(ids.length);
    return serverStatuses(r, ids);
  };
  return { sim, batches };
}

const launch = (sim: SimProvider, i: number) =>
  sim.launchServer(region, {
    imageId: 'img-simeast1-0003',
    productId: 'm1.small',
    name: `s-${i}`,
    clientToken: `t-${i}`,
  });

describe('the status coalescer', () => {
  it('reads 250 servers asked about at once in 3 calls of at most 100, each asker getting its own answer', async () => {
    const { sim, batches } = countingSim();
    const servers = await Promise.all(Array.from({ length: 250 }, (_, i) => launch(sim, i)));
    await sim.stopServer(region, servers[7]!.id);
    const coalescer = new StatusCoalescer(sim, 50);
    // Asked twice for one server: one id in the call, both askers answered.
    const answers = await Promise.all([
      ...servers.map((s) => coalescer.status(region, s.id)),
      coalescer.status(region, servers[0]!.id),
    ]);
    expect(batches.sort((a, b) => b - a)).toEqual([100, 100, 50]);
    expect(answers.slice(0, 250).map((a) => a.serverId)).toEqual(servers.map((s) => s.id));
    expect(answers[0]).toEqual({ serverId: servers[0]!.id, state: 'running', checks: 'ok' });
    expect(answers[250]).toEqual(answers[0]);
    expect(answers[7]).toMatchObject({ state: expect.stringMatching(/stopping|stopped/), checks: 'initializing' });
  });

  it('answers a server the cloud does not know with NotFound, and the others as usual', async () => {
    const { sim } = countingSim();
    const server = await launch(sim, 1);
    const coalescer = new StatusCoalescer(sim, 10);
    const [known, unknown] = await Promise.allSettled([
      coalescer.status(region, server.id),
      coalescer.status(region, 'i-00000000000000000'),
    ]);
    expect(known).toMatchObject({ status: 'fulfilled', value: { serverId: server.id, checks: 'ok' } });
    expect(unknown).toMatchObject({ status: 'rejected', reason: { code: 'NotFound' } });
  });

  it('fails every asker of a batch the cloud refused, and reads the next round afresh', async () => {
    const { sim, batches } = countingSim({
      rates: {},
      scripted: [{ operation: 'serverStatuses', nth: 1, code: 'Throttled' }],
    });
    const servers = await Promise.all([launch(sim, 1), launch(sim, 2)]);
    const coalescer = new StatusCoalescer(sim, 10);
    const first = await Promise.allSettled(servers.map((s) => coalescer.status(region, s.id)));
    expect(first.map((r) => r.status === 'rejected' && (r.reason as { code: string }).code)).toEqual([
      'Throttled',
      'Throttled',
    ]);
    const second = await Promise.all(servers.map((s) => coalescer.status(region, s.id)));
    expect(second.map((s) => s.checks)).toEqual(['ok', 'ok']);
    expect(batches).toEqual([2, 2]);
  });
});

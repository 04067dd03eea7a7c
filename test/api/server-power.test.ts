import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startTestApi } from '../support/api';
import { launchRequest, startLaunch } from '../support/launches';

const REGION = 'sim-east-1';

// Stop and start as operations: a workflow each, reported like every other through /v1/operations/:id.
describe('server stop and start', () => {
  const sim = new SimProvider({ timeScale: 0 });
  let env: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    env = await startTestApi({ provider: sim });
  });
  afterAll(async () => env?.stop());

  const server = async (name: string) =>
    (
      await (
        await startLaunch(env.temporal.client, env.temporal.config.TEMPORAL_TASK_QUEUE, launchRequest({ name }))
      ).result()
    ).server.id;
  const power = (id: string, action: 'stop' | 'start' | 'reboot', query = '') =>
    env.app.inject({ method: 'POST', url: `/v1/servers/${id}/${action}?region=${REGION}${query}` });
  /** The operation once it has closed. */
  const closed = async (id: string) => {
    await env.temporal.client.workflow
      .getHandle(id)
      .result()
      .catch(() => undefined);
    return (await env.app.inject({ method: 'GET', url: `/v1/operations/${id}` })).json();
  };

  it('stops a running server and starts it again, each through its operation', async () => {
    const id = await server('power-1');
    const stop = await power(id, 'stop');
    expect(stop.statusCode, stop.body).toBe(202);
    expect(stop.json()).toMatchObject({ id: `stop-${id}`, statusUrl: `/v1/operations/stop-${id}` });
    expect(await closed(stop.json().id)).toMatchObject({
      type: 'changeServerPower',
      status: 'completed',
      result: { serverId: id, state: 'stopped' },
    });
    expect((await sim.getServer(REGION, id)).state).toBe('stopped');

    const start = await power(id, 'start');
    expect(start.statusCode).toBe(202);
    expect(await closed(start.json().id)).toMatchObject({ status: 'completed', result: { state: 'running' } });
    expect((await sim.getServer(REGION, id)).state).toBe('running');
  });

  it('fails a stop that never completes at its timeout, naming the state the server was last in', async () => {
    const id = await server('power-stuck');
    sim.faults.script({ operation: 'stopServer', match: { serverName: 'power-stuck' }, stuck: true });
    try {
      const stop = await power(id, 'stop', '&timeout=10');
      expect(stop.statusCode).toBe(202);
      const operation = await closed(stop.json().id);
      expect(operation).toMatchObject({
        status: 'failed',
        error: {
          code: 'PowerTimeout',
          message: expect.stringContaining(`server ${id} was not stopped within 10 s of the stop (it is stopping)`),
        },
      });
    } finally {
      sim.faults.clear();
    }
  }, 60_000);

  it('reboots a running server: it stays running, and the operation ends once its status checks pass again', async () => {
    const id = await server('power-reboot');
    sim.faults.script({ operation: 'rebootServer', match: { serverName: 'power-reboot' }, stuck: true });
    try {
      const reboot = await power(id, 'reboot', '&timeout=10');
      expect(reboot.statusCode, reboot.body).toBe(202);
      expect(reboot.json()).toMatchObject({ id: `reboot-${id}`, statusUrl: `/v1/operations/reboot-${id}` });
      // Rebooted but never back: the checks stay down, and the limit names the state the server is in.
      expect(await closed(reboot.json().id)).toMatchObject({
        status: 'failed',
        error: {
          code: 'PowerTimeout',
          message: expect.stringContaining(
            `was not back (running, status checks passed) within 10 s of the reboot (it is running)`,
          ),
        },
      });
      expect(await sim.statusChecks(REGION, id)).toBe('initializing');
    } finally {
      sim.faults.clear();
    }
    const again = await power(id, 'reboot');
    expect(again.statusCode).toBe(202);
    expect(await closed(again.json().id)).toMatchObject({
      type: 'changeServerPower',
      status: 'completed',
      result: { serverId: id, state: 'running' },
    });
    expect(await sim.statusChecks(REGION, id)).toBe('ok');

    await sim.stopServer(REGION, id);
    const stopped = await power(id, 'reboot');
    expect(stopped.statusCode).toBe(409);
    expect(stopped.json().message).toContain('start it instead');
  }, 60_000);

  it('lists servers across regions, newest first, filtered and paged, each with the launch that made it', async () => {
    const east = await server('list-east');
    const west = (
      await (
        await startLaunch(
          env.temporal.client,
          env.temporal.config.TEMPORAL_TASK_QUEUE,
          launchRequest({ name: 'list-west', region: 'sim-west-1', imageId: 'img-simwest1-0003' }),
        )
      ).result()
    ).server.id;
    const list = async (query: string) => {
      const res = await env.app.inject({ method: 'GET', url: `/v1/servers?${query}` });
      expect(res.statusCode, res.body).toBe(200);
      return res.json() as {
        items: { id: string; region: string; launchId?: string; launchUrl?: string }[];
        nextCursor?: string;
      };
    };
    const all = await list('name=LIST-');
    expect(all.items.map((s) => s.id)).toEqual([west, east]);
    expect(all.items[0]).toMatchObject({ region: 'sim-west-1', launchId: expect.stringMatching(/^launch-/) });
    expect(all.items[0]!.launchUrl).toBe(`/v1/launches/${all.items[0]!.launchId}`);
    expect((await list('region=sim-east-1&name=list-')).items.map((s) => s.id)).toEqual([east]);

    // Paged one by one: the cursor carries on where the page before ended, and the last page has none.
    const first = await list('name=list-&limit=1');
    expect(first.items.map((s) => s.id)).toEqual([west]);
    const second = await list(`name=list-&limit=1&cursor=${first.nextCursor}`);
    expect(second.items.map((s) => s.id)).toEqual([east]);
    expect(second.nextCursor).toBeUndefined();
    expect((await env.app.inject({ method: 'GET', url: '/v1/servers?cursor=not-one' })).statusCode).toBe(400);

    await sim.stopServer('sim-west-1', west);
    expect((await list('name=list-&state=running')).items.map((s) => s.id)).toEqual([east]);
    expect((await list('name=list-&group=nobody')).items).toEqual([]);
  });

  it('refuses what it cannot do before starting anything: an unknown server, a terminated one, a bad timeout', async () => {
    expect((await power('i-nosuchserver', 'stop')).statusCode).toBe(404);
    const id = await server('power-gone');
    await sim.terminateServer(REGION, id);
    const gone = await power(id, 'start');
    expect(gone.statusCode).toBe(409);
    expect(gone.json()).toMatchObject({ code: 'conflict', message: expect.stringContaining('terminated') });
    const bad = await power(id, 'stop', '&timeout=99999');
    expect(bad.statusCode).toBe(400);
    expect(bad.json().message).toContain('timeout');
  });
});

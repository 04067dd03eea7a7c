import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { withQmp } from '../../providers/qemu/qmp';
import { eventually } from '../providers/contract';
import { startQemuCloud } from '../support/qemu';

// A firewall rule is a host port forward on the qemu cloud; a rule added to a running server's firewall opens the
// port at once, as a security group change does on EC2, and a rule removed closes it. QEMU's own table of forwards
// (`info usernet`) and a request through the port say so.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const WEB = { protocol: 'tcp' as const, fromPort: 8080, toPort: 8080, cidr: '0.0.0.0/0' };
// The guest serves HTTP on 8080 from boot; only the forward decides whether the host reaches it.
const USER_DATA = '#!/bin/sh\nsystemd-run --unit=web python3 -m http.server 8080 --directory /etc\n';

describe('firewall rules on running qemu guests', () => {
  let cloud: Awaited<ReturnType<typeof startQemuCloud>>;
  beforeAll(async () => {
    cloud = await startQemuCloud();
  });
  afterAll(async () => cloud?.stop());

  /** The host port QEMU forwards to the guest port, from the monitor's own table. */
  async function hostPort(serverId: string, guestPort: number): Promise<number | undefined> {
    const table = await withQmp(path.join(cloud.root, 'servers', serverId, 'qmp.sock'), (qmp) =>
      qmp.execute<string>('human-monitor-command', { 'command-line': 'info usernet' }),
    );
    const line = table
      .split('\n')
      .find((l) => l.includes('HOST_FORWARD') && l.trim().split(/\s+/).at(-3) === String(guestPort));
    return line ? Number(line.trim().split(/\s+/).at(-5)) : undefined;
  }

  const answers = async (port: number) =>
    fetch(`http://127.0.0.1:${port}/`, { signal: AbortSignal.timeout(5_000) }).then(
      (res) => res.status,
      () => 0,
    );

  it('opens a port live when a rule is added, and closes it when the rule is revoked', async () => {
    const { provider, region } = cloud;
    const firewall = await provider.createFirewall(region, {
      name: `live-${randomUUID().slice(0, 8)}`,
      description: 'live forwards',
      rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' }],
    });
    const imageId = (await provider.searchPublicImages(region, { q: 'debian-12*' })).items[0]!.id;
    const server = await provider.launchServer(region, {
      imageId,
      productId: 'q1.small',
      name: 'live-web',
      firewallIds: [firewall.id],
      userData: USER_DATA,
      clientToken: randomUUID(),
    });
    await eventually(
      () => provider.statusChecks(region, server.id),
      (c) => c === 'ok',
      480_000,
      'status checks',
    );
    expect(await hostPort(server.id, 22)).toBeGreaterThan(0);
    expect(await hostPort(server.id, 8080)).toBeUndefined();

    await provider.authorize(region, firewall.id, [WEB]);
    const port = await hostPort(server.id, 8080);
    expect(port).toBeGreaterThan(0);
    expect(
      await eventually(
        () => answers(port!),
        (status) => status === 200,
        60_000,
        'the guest web server',
      ),
    ).toBe(200);

    await provider.revoke(region, firewall.id, [WEB]);
    expect(await hostPort(server.id, 8080)).toBeUndefined();
    expect(await answers(port!)).toBe(0);
    expect(await hostPort(server.id, 22)).toBeGreaterThan(0);
    await provider.terminateServer(region, server.id);
  });
});

import type { Firewall } from '../../domain/network';
import { freePort } from '../../config/free-port';
import { ProviderError } from '../../domain/cloud-errors';
import type { QemuContext } from './context';
import { forwardedPorts } from './qemu-network';
import { withQmp, type QmpSession } from './qmp';
import { firewallsOf, isAlive, loadServer, serverPaths, type ServerDoc } from './qemu-servers';

// A firewall's rules are the host port forwards of the servers in it. A cloud applies a rule change to running
// servers at once, so here a change re-plans each running server's forwards and applies the difference through
// QEMU's monitor (hostfwd_add / hostfwd_remove on the user-mode netdev), without a reboot.

/** Brings the forwards of every running server in the firewall in line with its firewalls' rules. */
export async function applyFirewall(ctx: QemuContext, region: string, firewall: Firewall): Promise<void> {
  const users = ctx.store
    .list<ServerDoc>('server', region)
    .map((s) => s.doc)
    .filter((doc) => doc.firewallIds.includes(firewall.id) && doc.desired === 'running' && doc.bootedAt)
    .filter((doc) => isAlive(ctx, doc.server.id));
  for (const doc of users) await reforward(ctx, region, doc);
}

async function reforward(ctx: QemuContext, region: string, doc: ServerDoc): Promise<void> {
  const wanted = forwardedPorts(firewallsOf(ctx, doc));
  const forwards: Record<number, number> = { ...doc.forwards };
  await withQmp(serverPaths(ctx, doc.server.id).qmp, async (qmp) => {
    for (const [guest, host] of Object.entries(forwards).map(([g, h]) => [Number(g), h] as const)) {
      if (wanted.includes(guest)) continue;
      // "not found" is fine: the forward is gone either way.
      await monitor(qmp, `hostfwd_remove net0 tcp:127.0.0.1:${host}`);
      delete forwards[guest];
    }
    for (const guest of wanted) {
      if (forwards[guest] !== undefined) continue;
      const host = await freePort();
      const answer = await monitor(qmp, `hostfwd_add net0 tcp:127.0.0.1:${host}-:${guest}`);
      // The monitor answers an accepted forward with nothing and a refused one with the reason.
      if (answer.trim())
        throw new ProviderError('Unavailable', `QEMU could not forward port ${guest} of ${doc.server.id}: ${answer}`);
      forwards[guest] = host;
    }
  });
  ctx.store.transaction(() => {
    const current = loadServer(ctx, region, doc.server.id);
    ctx.store.put({ id: doc.server.id, kind: 'server', region, clientToken: null, doc: { ...current, forwards } });
  });
}

const monitor = (qmp: QmpSession, command: string) =>
  qmp.execute<string>('human-monitor-command', { 'command-line': command });

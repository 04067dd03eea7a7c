import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { MachineImage } from '../../domain/image';
import type { Server } from '../../domain/server';
import type { CloudProvider } from '../../providers/cloud-provider';
import { ProviderError } from '../../domain/cloud-errors';

// One contract for every driver: the same calls, the same observable answers.

export interface ContractTarget {
  provider: CloudProvider;
  region: string;
  /** Behaviours this target cannot show, each with the reason; the suite checks the driver says Unsupported instead. */
  cannot?: {
    deprecation?: string;
    disableImage?: string;
    imageDescription?: string;
    arm64?: string;
    largeLibrary?: string;
    blockEncryption?: string;
    /** Seeing an image shared from another account (the receiving side of sharing). */
    sharedWithUs?: string;
  };
  /** Two account ids this cloud accepts, and a driver acting as the first over the same cloud where the target has one. */
  sharing: { accounts: [string, string]; partner?: CloudProvider };
  /** How long a state change may take here. */
  settleMs: number;
}

export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function rejection(promise: Promise<unknown>): Promise<ProviderError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err, 'expected the call to fail with a ProviderError').toBeInstanceOf(ProviderError);
  return err as ProviderError;
}

/** An OpenSSH public key line, made the way ssh-keygen would. */
function openSshEd25519(): string {
  const der = generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' });
  const field = (data: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, data.length]), data]);
  return `ssh-ed25519 ${Buffer.concat([field(Buffer.from('ssh-ed25519')), field(der.subarray(der.length - 32))]).toString('base64')} contract@test`;
}

export function providerContract(driver: string, target: () => ContractTarget): void {
  describe(`CloudProvider contract: ${driver}`, () => {
    const run = randomUUID().slice(0, 8);
    const t = () => target();
    const p = () => t().provider;
    const r = () => t().region;
    let image: MachineImage;
    let server: Server;

    async function launchable(): Promise<{ image: MachineImage; productId: string }> {
      const page = await p().searchPublicImages(r(), { architecture: 'x86_64', limit: 100 });
      const found = page.items.find((i) => i.state === 'available' && i.platform !== 'windows');
      expect(found, 'an available x86_64 public image').toBeDefined();
      const products = await p().listProducts(r(), { architecture: 'x86_64' });
      return {
        image: found!,
        productId: products.sort((a, b) => a.cpuCount - b.cpuCount || a.memoryGb - b.memoryGb)[0]!.id,
      };
    }

    const running = (id: string) =>
      eventually(
        () => p().getServer(r(), id),
        (s) => s.state === 'running',
        t().settleMs,
        `server ${id} running`,
      );

    it('lists regions and their zones', async () => {
      expect(await p().listRegions()).toContain(r());
      const zones = await p().listZones(r());
      expect(zones.length).toBeGreaterThanOrEqual(1);
      for (const zone of zones) expect(zone.startsWith(r())).toBe(true);
    });

    it('declares its capabilities, with naming rules a person can follow', async () => {
      const caps = await p().capabilities(r());
      expect(caps.publicLibrary).toBe(true);
      expect(caps.captureFrom.length).toBeGreaterThan(0);
      expect(caps.maxVolumesPerServer).toBeGreaterThan(1);
      for (const rule of Object.values(caps.naming)) {
        expect(new RegExp(rule.pattern).test('web-1')).toBe(true);
        expect(rule.hint.length).toBeGreaterThan(10);
      }
    });

    // The architecture the suite searches and filters by: arm64, unless this target has none (reason in `cannot`).
    const otherArch = () => (t().cannot?.arm64 ? 'x86_64' : 'arm64');

    it('lists products of one architecture', async () => {
      if (t().cannot?.arm64) expect(await p().listProducts(r(), { architecture: 'arm64' })).toEqual([]);
      const products = await p().listProducts(r(), { architecture: otherArch() });
      expect(products.length).toBeGreaterThan(0);
      for (const product of products) {
        expect(product.architecture).toBe(otherArch());
        expect(product.cpuCount).toBeGreaterThan(0);
        expect(product.memoryGb).toBeGreaterThan(0);
      }
    });

    it('pages through the public library without repeating an image', async () => {
      if (t().cannot?.largeLibrary) {
        // A library of a few images (reason in `cannot`): one page of one, and the cursor rules still hold.
        const first = await p().searchPublicImages(r(), { limit: 1 });
        expect(first.items.length).toBe(1);
        expect(first.items[0]!.visibility).toBe('public');
        expect((await rejection(p().searchPublicImages(r(), { cursor: 'not-a-cursor' }))).code).toBe('InvalidInput');
        return;
      }
      const seen = new Set<string>();
      let cursor: string | undefined;
      for (let page = 0; page < 3; page++) {
        const result = await p().searchPublicImages(r(), { limit: 7, ...(cursor ? { cursor } : {}) });
        expect(result.items.length).toBe(7);
        for (const item of result.items) {
          expect(seen.has(item.id), `duplicate ${item.id}`).toBe(false);
          seen.add(item.id);
          expect(item.visibility).toBe('public');
        }
        expect(result.nextCursor).toBeDefined();
        cursor = result.nextCursor;
      }
      const bad = await rejection(p().searchPublicImages(r(), { cursor: 'not-a-cursor' }));
      expect(bad.code).toBe('InvalidInput');
    });

    it('searches the public library by name substring, glob and architecture', async () => {
      const sample = (await p().searchPublicImages(r(), { architecture: otherArch(), limit: 5 })).items;
      expect(sample.length).toBeGreaterThan(0);
      for (const item of sample) expect(item.architecture).toBe(otherArch());
      const word = sample[0]!.name.slice(0, 6);
      const bySubstring = await p().searchPublicImages(r(), { q: word.toUpperCase(), limit: 50 });
      expect(bySubstring.items.length).toBeGreaterThan(0);
      for (const item of bySubstring.items) expect(item.name.toLowerCase()).toContain(word.toLowerCase());
      const byGlob = await p().searchPublicImages(r(), { q: `${word}*`, limit: 50 });
      expect(byGlob.items.map((i) => i.id)).toContain(sample[0]!.id);
      for (const item of byGlob.items) expect(item.name.toLowerCase().startsWith(word.toLowerCase())).toBe(true);
      const none = await p().searchPublicImages(r(), { q: `no-such-image-${run}` });
      expect(none.items).toEqual([]);
    });

    it('gets an image by id, and answers NotFound for one that does not exist', async () => {
      ({ image } = await launchable());
      expect((await p().getImage(r(), image.id)).id).toBe(image.id);
      expect((await rejection(p().getImage(r(), 'ami-0123456789abcdef0'))).code).toBe('NotFound');
    });

    it('launches a server once per client token, tagged and named, and it comes up running', async () => {
      const { productId } = await launchable();
      const zone = (await p().listZones(r()))[0]!;
      const input = {
        imageId: image.id,
        productId,
        name: `contract-${run}`,
        zone,
        clientToken: `token-${run}`,
        tags: { 'contract-run': run },
      };
      const first = await p().launchServer(r(), input);
      const again = await p().launchServer(r(), input);
      expect(again.id).toBe(first.id);
      expect(first).toMatchObject({ name: `contract-${run}`, imageId: image.id, productId, zone });
      expect(first.tags).toMatchObject({ Name: `contract-${run}`, 'contract-run': run });
      server = await running(first.id);
      const tagged = await p().listServers(r(), { tag: { key: 'contract-run', value: run } });
      expect(tagged.map((s) => s.id)).toEqual([first.id]);
      expect((await p().listServers(r(), { imageId: image.id })).map((s) => s.id)).toContain(first.id);
      await eventually(
        () => p().statusChecks(r(), first.id),
        (check) => check === 'ok',
        t().settleMs,
        'status checks',
      );
    });

    it('reads many servers in one serverStatuses call, leaving out the ones it does not know', async () => {
      expect(p().statusBatchLimit).toBeGreaterThanOrEqual(1);
      // An id the cloud never made, in its own format (EC2 fails a call naming one; the driver asks again without it).
      const unknown = 'i-0123456789abcdef0';
      const statuses = await p().serverStatuses(r(), [server.id, unknown, server.id]);
      expect(statuses).toEqual([{ serverId: server.id, state: 'running', checks: 'ok' }]);
      expect(await p().serverStatuses(r(), [unknown])).toEqual([]);
    });

    it('refuses to launch from an image that does not exist', async () => {
      const { productId } = await launchable();
      const err = await rejection(
        p().launchServer(r(), {
          imageId: 'ami-0123456789abcdef0',
          productId,
          name: 'nope',
          clientToken: `missing-${run}`,
        }),
      );
      expect(['NotFound', 'InvalidInput']).toContain(err.code);
    });

    it('creates a key pair whose private key is returned once, imports one, and deletes both idempotently', async () => {
      const created = await p().createKeypair(r(), `contract-${run}`);
      expect(created.privateKeyPem).toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----/);
      expect(created.fingerprint.length).toBeGreaterThan(10);
      const listed = (await p().listKeypairs(r())).find((k) => k.name === `contract-${run}`);
      expect(listed).toBeDefined();
      expect(listed).not.toHaveProperty('privateKeyPem');
      expect((await rejection(p().createKeypair(r(), `contract-${run}`))).code).toBe('Conflict');
      const imported = await p().importKeypair(r(), `imported-${run}`, openSshEd25519());
      expect(imported.name).toBe(`imported-${run}`);
      for (const name of [`contract-${run}`, `imported-${run}`]) {
        await p().deleteKeypair(r(), name);
        await p().deleteKeypair(r(), name);
      }
      expect((await p().listKeypairs(r())).map((k) => k.name)).not.toContain(`contract-${run}`);
    });

    it('creates a firewall with rules, authorizes more, and deletes it idempotently', async () => {
      const firewall = await p().createFirewall(r(), {
        name: `contract-${run}`,
        description: 'contract suite',
        rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }],
      });
      expect(firewall.rules).toEqual([{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }]);
      await p().authorize(r(), firewall.id, [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' }]);
      const [listed] = await p().listFirewalls(r(), { ids: [firewall.id] });
      expect(listed?.rules).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ fromPort: 22 }),
          expect.objectContaining({ fromPort: 443, cidr: '0.0.0.0/0' }),
        ]),
      );
      const duplicate = await rejection(
        p().createFirewall(r(), { name: `contract-${run}`, description: 'again', rules: [] }),
      );
      expect(duplicate.code).toBe('Conflict');
      await p().deleteFirewall(r(), firewall.id);
      await p().deleteFirewall(r(), firewall.id);
      expect(
        await p()
          .listFirewalls(r(), { ids: [firewall.id] })
          .catch(() => []),
      ).toEqual([]);
    });

    it('revokes rules, and takes IPv6 sources where the capabilities say so', async () => {
      const web = { protocol: 'tcp' as const, fromPort: 443, toPort: 443, cidr: '0.0.0.0/0' };
      const ssh = { protocol: 'tcp' as const, fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' };
      const firewall = await p().createFirewall(r(), {
        name: `revoke-${run}`,
        description: 'contract suite',
        rules: [ssh],
      });
      try {
        await p().authorize(r(), firewall.id, [web]);
        const revoked = await p().revoke(r(), firewall.id, [web, { ...web, fromPort: 8443, toPort: 8443 }]);
        expect(revoked.rules).toEqual([ssh]);
        const [listed] = await p().listFirewalls(r(), { ids: [firewall.id] });
        expect(listed?.rules).toEqual([ssh]);
        const ipv6 = { protocol: 'tcp' as const, fromPort: 80, toPort: 80, cidr: '2001:db8::/32' };
        if ((await p().capabilities(r())).ipv6Firewall) {
          await p().authorize(r(), firewall.id, [ipv6]);
          const [withIpv6] = await p().listFirewalls(r(), { ids: [firewall.id] });
          expect(withIpv6?.rules).toEqual(expect.arrayContaining([ipv6, ssh]));
          expect((await p().revoke(r(), firewall.id, [ipv6])).rules).toEqual([ssh]);
        } else {
          const refused = await rejection(p().authorize(r(), firewall.id, [ipv6]));
          expect(refused.code).toBe('Unsupported');
          expect(refused.message).toMatch(/IPv6/);
        }
        expect((await p().revoke(r(), firewall.id, [ssh])).rules).toEqual([]);
      } finally {
        await p().deleteFirewall(r(), firewall.id);
      }
    });

    it('creates a volume once per client token, attaches, detaches and deletes it', async () => {
      // Its own tag key: a launch's tags also mark the server's root volume.
      const encrypted = !t().cannot?.blockEncryption;
      if (!encrypted) {
        const refused = await rejection(
          p().createVolume(r(), { sizeGb: 10, zone: server.zone, encrypted: true, clientToken: `vol-enc-${run}` }),
        );
        expect(refused.code).toBe('Unsupported');
      }
      const input = {
        sizeGb: 10,
        zone: server.zone,
        encrypted,
        clientToken: `vol-${run}`,
        tags: { 'contract-volume': run },
      };
      const volume = await p().createVolume(r(), input);
      expect((await p().createVolume(r(), input)).id).toBe(volume.id);
      expect(volume).toMatchObject({ sizeGb: 10, encrypted, zone: server.zone });
      await eventually(
        () => p().getVolume(r(), volume.id),
        (v) => v.state === 'available',
        t().settleMs,
        'volume available',
      );
      await p().attachVolume(r(), volume.id, server.id, '/dev/sdf');
      const attached = await eventually(
        () => p().getVolume(r(), volume.id),
        (v) => v.state === 'in-use',
        t().settleMs,
        'volume in use',
      );
      expect(attached).toMatchObject({ serverId: server.id, device: '/dev/sdf' });
      expect((await p().listVolumes(r(), { serverId: server.id })).map((v) => v.id)).toContain(volume.id);
      expect((await p().listVolumes(r(), { tag: { key: 'contract-volume', value: run } })).map((v) => v.id)).toEqual([
        volume.id,
      ]);
      await p().detachVolume(r(), volume.id);
      await eventually(
        () => p().getVolume(r(), volume.id),
        (v) => v.state === 'available',
        t().settleMs,
        'volume detached',
      );
      await p().deleteVolume(r(), volume.id);
      await p().deleteVolume(r(), volume.id);
      const gone = await p()
        .getVolume(r(), volume.id)
        .then(
          (v) => v.state,
          (err: ProviderError) => err.code,
        );
      expect(['NotFound', 'deleted', 'deleting']).toContain(gone);
    });

    let captured: MachineImage;
    it('captures an image from a server once per client token, and it becomes available as an own image', async () => {
      const input = {
        serverId: server.id,
        name: `contract-${run}`,
        description: 'captured',
        reboot: false,
        clientToken: `capture-${run}`,
        tags: { 'contract-run': run },
      };
      if (!(await p().capabilities(r())).captureFrom.includes('running')) {
        // This cloud captures stopped servers only: it must refuse a running one, and capture it once stopped.
        expect((await rejection(p().captureImage(r(), { ...input, clientToken: `capture-running-${run}` }))).code).toBe(
          'Conflict',
        );
        await p().stopServer(r(), server.id);
        await eventually(
          () => p().getServer(r(), server.id),
          (s) => s.state === 'stopped',
          t().settleMs,
          'stopped for capture',
        );
      }
      captured = await p().captureImage(r(), input);
      expect((await p().captureImage(r(), input)).id).toBe(captured.id);
      expect(['pending', 'available']).toContain(captured.state);
      captured = await eventually(
        () => p().getImage(r(), captured.id),
        (i) => i.state === 'available',
        t().settleMs,
        'image available',
      );
      expect(captured).toMatchObject({
        name: `contract-${run}`,
        visibility: 'private',
        architecture: image.architecture,
      });
      expect(captured.tags['contract-run']).toBe(run);
      let own: MachineImage[] = [];
      let cursor: string | undefined;
      do {
        const page = await p().listImages(r(), { limit: 100, ...(cursor ? { cursor } : {}) });
        own = own.concat(page.items);
        cursor = page.nextCursor;
      } while (cursor);
      expect(own.map((i) => i.id)).toContain(captured.id);
    });

    it('renames an own image, sets its description, label colour and labels, and removes a label with ""', async () => {
      const updated = await p().updateImage(r(), captured.id, {
        name: `renamed-${run}`,
        description: 'new words',
        labelColor: 'green',
        labels: { team: 'ops' },
      });
      expect(updated).toMatchObject({ name: `renamed-${run}`, labelColor: 'green' });
      // Where the target cannot keep a new description (reason in `cannot`), the rest must still hold.
      if (!t().cannot?.imageDescription) expect(updated.description).toBe('new words');
      expect(updated.tags.team).toBe('ops');
      const reread = await p().getImage(r(), captured.id);
      expect(reread).toMatchObject({ name: `renamed-${run}`, labelColor: 'green' });
      const removed = await p().updateImage(r(), captured.id, { labels: { team: '' } });
      expect(removed.tags).not.toHaveProperty('team');
    });

    it('deprecates an own image with its replacement', async () => {
      const reason = t().cannot?.deprecation;
      const result = p().deprecateImage(r(), captured.id, { replacementId: image.id });
      if (reason) {
        // This target cannot deprecate (reason above); the driver must say so rather than pretend.
        expect((await rejection(result)).code).toBe('Unsupported');
        return;
      }
      expect((await result).state).toBe('deprecated');
    });

    it('disables and enables an own image where the cloud has it', async () => {
      const reason = t().cannot?.disableImage;
      if (reason) {
        expect((await rejection(p().disableImage(r(), captured.id))).code).toBe('Unsupported');
        return;
      }
      expect((await p().disableImage(r(), captured.id)).state).toBe('disabled');
      expect(['available', 'deprecated']).toContain((await p().enableImage(r(), captured.id)).state);
    });

    it('shares an own image with accounts and with everyone, lists the shares and revokes them', async () => {
      expect((await p().capabilities(r())).imageSharing?.account.hint).toBeTruthy();
      const [a, b] = t().sharing.accounts;
      const none = { accounts: [], public: false };
      expect(await p().listImageShares(r(), captured.id)).toEqual(none);
      expect(await p().shareImage(r(), captured.id, { accounts: [b, a] })).toEqual({
        accounts: [a, b].sort(),
        public: false,
      });
      // Sharing again with an account already there counts as done.
      expect(await p().shareImage(r(), captured.id, { accounts: [a], public: true })).toEqual({
        accounts: [a, b].sort(),
        public: true,
      });
      // A public own image is still this account's to change.
      expect((await p().getImage(r(), captured.id)).visibility).toBe('private');
      expect((await p().listImages(r(), { limit: 1000 })).items.map((i) => i.id)).toContain(captured.id);

      const partner = t().sharing.partner;
      if (partner) {
        expect((await partner.getImage(r(), captured.id)).visibility).toBe('shared');
        expect((await partner.listSharedImages(r(), { limit: 100 })).items.map((i) => i.id)).toContain(captured.id);
        expect((await partner.listImages(r(), { limit: 1000 })).items.map((i) => i.id)).not.toContain(captured.id);
      } else {
        // This target cannot show the receiving side (reason in `cannot`); the listing must still answer.
        expect(t().cannot?.sharedWithUs).toBeTruthy();
        expect((await p().listSharedImages(r(), { limit: 100 })).items.map((i) => i.id)).not.toContain(captured.id);
      }

      expect(await p().unshareImage(r(), captured.id, { accounts: [b], public: true })).toEqual({
        accounts: [a],
        public: false,
      });
      // Revoking what is not there counts as done.
      expect(await p().unshareImage(r(), captured.id, { accounts: [b] })).toEqual({ accounts: [a], public: false });
      expect(await p().unshareImage(r(), captured.id, { accounts: [a] })).toEqual(none);
      if (partner) {
        expect((await rejection(partner.getImage(r(), captured.id))).code).toBe('NotFound');
        expect((await partner.listSharedImages(r(), { limit: 100 })).items.map((i) => i.id)).not.toContain(captured.id);
      }
      expect((await rejection(p().shareImage(r(), captured.id, { accounts: ['not an account'] }))).code).toBe(
        'InvalidInput',
      );
      expect(await p().listImageShares(r(), captured.id)).toEqual(none);
    });

    it('deregisters an own image; a second time counts as done', async () => {
      await p().deregisterImage(r(), captured.id);
      await p().deregisterImage(r(), captured.id);
      const after = await p()
        .getImage(r(), captured.id)
        .then(
          (i) => i.state,
          (err: ProviderError) => err.code,
        );
      expect(['NotFound', 'deleted']).toContain(after);
    });

    it('stops, starts, reboots and terminates a server; a stopped one cannot reboot; terminating twice counts as done', async () => {
      await p().stopServer(r(), server.id);
      await eventually(
        () => p().getServer(r(), server.id),
        (s) => s.state === 'stopped',
        t().settleMs,
        'stopped',
      );
      expect((await rejection(p().rebootServer(r(), server.id))).code).toBe('Conflict');
      await p().startServer(r(), server.id);
      await running(server.id);
      await eventually(
        () => p().statusChecks(r(), server.id),
        (c) => c === 'ok',
        t().settleMs,
        'status checks ok',
      );
      // A reboot keeps the server running; its checks pass again once the guest is back.
      expect((await p().rebootServer(r(), server.id)).state).toBe('running');
      expect((await p().getServer(r(), server.id)).state).toBe('running');
      await eventually(
        () => p().statusChecks(r(), server.id),
        (c) => c === 'ok',
        t().settleMs,
        'status checks ok after the reboot',
      );
      await p().terminateServer(r(), server.id);
      await p().terminateServer(r(), server.id);
      await eventually(
        () =>
          p()
            .getServer(r(), server.id)
            .catch(() => ({ state: 'terminated' })),
        (s) => s.state === 'terminated',
        t().settleMs,
        'terminated',
      );
      expect((await rejection(p().getServer(r(), 'i-0123456789abcdef0'))).code).toBe('NotFound');
    });
  });
}

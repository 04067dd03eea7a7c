import { randomUUID } from 'node:crypto';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { SshGuestExecutor } from '../../guest/ssh-executor';
import { secretRefs } from '../../secrets/key-store';
import { provisioningKey } from '../../secrets/provisioning-key';
import { startConsole } from '../support/browser';
import { qemuProcesses, sshRun, startQemuCloud } from '../support/qemu';
import { testKeyStore } from '../support/temporal';

// The whole product on real guests: HTTP → API → Temporal → worker → the qemu driver and the ssh executor. The
// volume steps run in a Debian kernel (mdadm, cryptsetup, mkfs.xfs); the checks log in and look. The capture is the
// original platform's own step, done as an operator would: from the console's Servers page, in Chromium.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

describe('launches on the qemu cloud (real guests)', () => {
  let cloud: Awaited<ReturnType<typeof startQemuCloud>>;
  let con: Awaited<ReturnType<typeof startConsole>>;
  let env: Awaited<ReturnType<typeof startConsole>>['api'];
  let privateKey: string;
  let imageId: string;
  const run = randomUUID().slice(0, 8);
  const proof = `written-before-capture-${run}`;
  const base = { region: 'local', product: { productId: 'q1.small' }, group: 'ops', billingCode: 'ops-7' };
  let launched: {
    id: string;
    steps?: unknown;
    server: { id: string; publicIp: string };
    keypairName: string;
    firewallIds: string[];
    volumes: { volumeIds: string[]; luksDevice: string; arrayDevice: string };
  };
  let unreachable: string;
  // The launch from the captured image: it chose the first launch's firewall by id, and outlives that server.
  let copyServerId: string;

  beforeAll(async () => {
    cloud = await startQemuCloud();
    const keys = testKeyStore();
    privateKey = (await provisioningKey(keys)).privateKeyPem;
    con = await startConsole({
      provider: cloud.provider,
      keys,
      guest: new SshGuestExecutor({ username: 'root', privateKey }),
    });
    env = con.api;
    imageId = (await cloud.provider.searchPublicImages('local', { q: 'debian-12*' })).items[0]!.id;
  });
  afterAll(async () => {
    await con?.stop();
    await cloud?.stop();
  });

  async function untilClosed(url: string, limitMs: number) {
    const deadline = Date.now() + limitMs;
    for (;;) {
      const body = (await env.app.inject({ method: 'GET', url })).json();
      if (body.status !== 'running') return body;
      if (Date.now() > deadline)
        throw new Error(`${url} still running after ${limitMs} ms: ${JSON.stringify(body.steps ?? body)}`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }

  async function launch(payload: Record<string, unknown>): Promise<string> {
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: { ...base, imageId, ...payload },
    });
    expect(res.statusCode, res.body).toBe(202);
    return res.json().id as string;
  }

  const serverFiles = (serverId: string) => existsSync(path.join(cloud.root, 'servers', serverId));
  const volumeFiles = () =>
    existsSync(path.join(cloud.root, 'volumes')) ? readdirSync(path.join(cloud.root, 'volumes')) : [];

  it('launches with 4 disks in raid10, LUKS and xfs at /data, and the guest shows all of it', async () => {
    // A guest whose user data takes its network down: it boots, finishes cloud-init, and never answers SSH.
    unreachable = await launch({
      name: `dark-${run}`,
      userData: '#!/bin/sh\nip link set eth0 down\n',
      readyTimeout: '150s',
    });
    const firewall = { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '0.0.0.0/0' }] } };
    const id = await launch({
      name: `raid-${run}`,
      keypair: { create: {} },
      firewall,
      volumes: { count: 4, sizeGb: 2, raid: 'raid10', filesystem: 'xfs', mountPoint: '/data', encrypt: true },
      readyTimeout: '15m',
    });
    launched = await untilClosed(`/v1/launches/${id}`, 900_000);
    expect(launched, JSON.stringify(launched.steps ?? launched)).toMatchObject({
      status: 'completed',
      server: { publicIp: expect.stringMatching(/^127\.0\.0\.1:\d+$/) },
    });
    const address = launched.server.publicIp;

    const mdstat = await sshRun(address, privateKey, 'cat /proc/mdstat');
    expect(mdstat.stdout).toMatch(/md\d+ : active raid10 (vd[a-z]\[\d\](\(\w\))? ?){4}/);
    expect(mdstat.stdout).toMatch(/\[4\/4\] \[UUUU\]/);
    const mapper = path.basename(launched.volumes.luksDevice);
    const luks = await sshRun(address, privateKey, `cryptsetup status ${mapper}`);
    expect(luks.stdout).toMatch(new RegExp(`${launched.volumes.luksDevice} is active and is in use`));
    expect(luks.stdout).toMatch(/type:\s+LUKS2/);
    const array = (await sshRun(address, privateKey, `readlink -f ${launched.volumes.arrayDevice}`)).stdout.trim();
    expect(luks.stdout).toContain(`device:  ${array}`);
    const mount = await sshRun(address, privateKey, 'findmnt -n -o SOURCE,FSTYPE /data');
    expect(mount.stdout.trim().split(/\s+/)).toEqual([launched.volumes.luksDevice, 'xfs']);
    const written = await sshRun(
      address,
      privateKey,
      `echo ${proof} > /data/proof && echo ${proof} > /root/proof && sync && cat /data/proof /root/proof`,
    );
    expect(written.stdout).toBe(`${proof}\n${proof}\n`);
    expect(volumeFiles().sort()).toEqual(launched.volumes.volumeIds.map((v) => `${v}.qcow2`).sort());
    expect(launched.firewallIds).toHaveLength(1);
    expect((await cloud.provider.getServer('local', launched.server.id)).firewallIds).toEqual(launched.firewallIds);

    // The key pair the launch created reached the image's default user through cloud-init's meta-data.
    const pem = await env.app.inject({ method: 'GET', url: `/v1/launches/${id}/private-key` });
    expect(pem.statusCode).toBe(200);
    const asUser = await sshRun(address, pem.body, 'id -un; sudo -n cat /data/proof', 'debian');
    expect(asUser).toMatchObject({ code: 0, stdout: `debian\n${proof}\n` });
    expect(asUser.stderr, 'the server resolves its own name').not.toMatch(/unable to resolve host/);
  });

  it('fails a launch whose guest never becomes reachable at readyTimeout, leaving no process or file', async () => {
    const failed = await untilClosed(`/v1/launches/${unreachable}`, 600_000);
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'ReadyTimeout', message: expect.stringContaining('not ready within 150 s') },
    });
    const serverId = failed.server.id as string;
    expect(qemuProcesses(cloud.root).map((p) => p.serverId)).not.toContain(serverId);
    expect(serverFiles(serverId)).toBe(false);
    expect((await cloud.provider.getServer('local', serverId)).state).toBe('terminated');
  });

  let capturedId: string;
  it('captures the server from the Servers page (stopped, copied, started again), and a launch from the image finds the file', async () => {
    await con.signIn(env.keys.operator);
    await con.page.goto(`${con.url}/#/servers`);
    const name = `raid-${run}`;
    await con.page
      .locator(`table.servers tr[data-server-id="${launched.server.id}"]`)
      .getByRole('button', { name: `Actions for ${name}` })
      .click();
    await con.page.getByRole('menuitem', { name: 'Capture image' }).click();
    const dialog = con.page.getByRole('dialog', { name: `Capture an image of ${name}` });
    await dialog.getByLabel('Image name').fill(`captured-${run}`);
    // qemu images stopped servers only: the dialog says so, and the server is stopped and started again.
    expect(await dialog.locator('#capture-reboot').isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Capture' }).click();
    await con.page
      .getByRole('status')
      .filter({ hasText: `${name}: capturing captured-${run} done` })
      .waitFor({ timeout: 600_000 });
    const captured = (await cloud.provider.listImages('local')).items.find((i) => i.name === `captured-${run}`);
    expect(captured).toMatchObject({ state: 'available', visibility: 'private', tags: { group: 'ops' } });
    capturedId = captured!.id;
    expect((await cloud.provider.getServer('local', launched.server.id)).state).toBe('running');

    const id = await launch({
      name: `copy-${run}`,
      imageId: capturedId,
      firewall: { ids: launched.firewallIds },
      readyTimeout: '10m',
    });
    const copy = await untilClosed(`/v1/launches/${id}`, 600_000);
    expect(copy, JSON.stringify(copy.steps ?? copy)).toMatchObject({ status: 'completed' });
    copyServerId = copy.server.id;
    expect((await cloud.provider.getServer('local', copyServerId)).firewallIds).toEqual(launched.firewallIds);
    const read = await sshRun(copy.server.publicIp, privateKey, 'cat /root/proof; hostname');
    expect(read.stdout, read.stderr).toBe(`${proof}\ncopy-${run}\n`);
    // The copy booted without the volumes its fstab and crypttab name (nofail): /data is simply not mounted.
    expect((await sshRun(copy.server.publicIp, privateKey, 'findmnt /data')).code).not.toBe(0);
  });

  it('stops, starts and reboots the copy through the API: each a real power cycle, and its disk keeps the file', async () => {
    const power = async (action: 'stop' | 'start' | 'reboot') => {
      const res = await env.app.inject({ method: 'POST', url: `/v1/servers/${copyServerId}/${action}?region=local` });
      expect(res.statusCode, res.body).toBe(202);
      return untilClosed(res.json().statusUrl, 480_000);
    };
    const bootId = async () => {
      // A start ends once the machine runs; SSH answers once the guest has booted (its status checks pass).
      const deadline = Date.now() + 300_000;
      while ((await cloud.provider.statusChecks('local', copyServerId)) !== 'ok') {
        if (Date.now() > deadline) throw new Error(`${copyServerId} did not boot within 300 s`);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
      const { publicIp } = await cloud.provider.getServer('local', copyServerId);
      const read = await sshRun(publicIp!, privateKey, 'cat /root/proof; cat /proc/sys/kernel/random/boot_id');
      expect(read.code, read.stderr).toBe(0);
      const [file, boot] = read.stdout.trim().split('\n');
      expect(file).toBe(proof);
      return boot!;
    };
    const first = await bootId();
    expect(await power('stop')).toMatchObject({ status: 'completed', result: { state: 'stopped' } });
    expect(qemuProcesses(cloud.root).map((p) => p.serverId)).not.toContain(copyServerId);
    expect(await power('start')).toMatchObject({ status: 'completed', result: { state: 'running' } });
    // A new boot: the kernel's boot id changed, and the file written before the capture is still there.
    const second = await bootId();
    expect(second).not.toBe(first);
    expect(await power('reboot')).toMatchObject({ status: 'completed', result: { state: 'running' } });
    expect(await bootId()).not.toBe(second);
  });

  async function terminate(serverId: string) {
    const del = await env.app.inject({ method: 'DELETE', url: `/v1/servers/${serverId}?region=local` });
    expect(del.statusCode).toBe(202);
    const done = await untilClosed(del.json().statusUrl, 300_000);
    expect(done).toMatchObject({ status: 'completed', type: 'terminateServer' });
    return done;
  }

  /** What the qemu cloud still holds that a launch made: its key pair, firewalls and volumes, found by its tag. */
  async function madeBy(launchId: string) {
    const tag = { key: 'workflow-id', value: launchId };
    return {
      keypairs: (await cloud.provider.listKeypairs('local'))
        .filter((k) => k.tags['workflow-id'] === launchId)
        .map((k) => k.name),
      firewalls: (await cloud.provider.listFirewalls('local', { tag })).map((f) => f.id),
      volumes: (await cloud.provider.listVolumes('local', { tag })).map((v) => v.id),
    };
  }

  it('terminates the launched server: no qemu process, server folder, volume file, key pair or private key; its firewall stays while the copy uses it', async () => {
    const keyRef = secretRefs.privateKey(launched.id);
    expect(await madeBy(launched.id)).toEqual({
      keypairs: [launched.keypairName],
      firewalls: launched.firewallIds,
      volumes: expect.arrayContaining(launched.volumes.volumeIds),
    });
    expect(await env.temporal.keys.status(keyRef)).toBe('taken');
    expect(await env.temporal.keys.status(secretRefs.luksPassphrase(launched.id))).toBe('stored');

    const done = await terminate(launched.server.id);
    expect(done.result.deletedVolumeIds.sort()).toEqual([...launched.volumes.volumeIds].sort());
    expect(done.result).toMatchObject({
      deletedKeypairs: [launched.keypairName],
      deletedFirewallIds: [],
      keptFirewalls: [{ id: launched.firewallIds[0], usedBy: [copyServerId] }],
    });
    expect(qemuProcesses(cloud.root).map((p) => p.serverId)).toEqual([copyServerId]);
    expect(serverFiles(launched.server.id)).toBe(false);
    expect(volumeFiles()).toEqual([]);
    expect(await madeBy(launched.id)).toEqual({ keypairs: [], firewalls: launched.firewallIds, volumes: [] });
    expect(await env.temporal.keys.status(keyRef)).toBe('absent');
    expect(await env.temporal.keys.status(secretRefs.luksPassphrase(launched.id))).toBe('absent');

    // The copy only chose the firewall: terminating it leaves that firewall for the reaper.
    const copyDone = await terminate(copyServerId);
    expect(copyDone.result).toMatchObject({ deletedFirewallIds: [], keptFirewalls: [] });
    expect(qemuProcesses(cloud.root)).toEqual([]);
    expect(serverFiles(copyServerId)).toBe(false);
  });
});

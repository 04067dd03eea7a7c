import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { parseFaultPlan } from '../../providers/sim/faults';
import { parseSimCapabilities } from '../../providers/sim/sim-capabilities';
import { SIM_REGIONS } from '../../providers/sim/catalog';
import { SimProvider } from '../../providers/sim/sim-provider';
import { RecordStore } from '../../providers/local/record-store';
import { PROJECT_ROOT } from '../../config/paths';
import { rejection } from './contract';

const region = 'sim-east-1';
const image = 'img-simeast1-0003'; // ubuntu-22.04 x86_64, newest build
const launch = (provider: SimProvider, token: string, name = 'web-1') =>
  provider.launchServer(region, { imageId: image, productId: 'm1.small', name, clientToken: token });

describe('sim cloud', () => {
  it('seeds a realistic world: 2 regions of 3 zones, 6+ OS families in dated builds on both architectures', async () => {
    const sim = new SimProvider();
    expect(await sim.listRegions()).toEqual(Object.keys(SIM_REGIONS));
    expect(await sim.listZones('sim-west-1')).toEqual(['sim-west-1a', 'sim-west-1b', 'sim-west-1c']);
    const all = (await sim.searchPublicImages(region, { limit: 1000 })).items;
    expect(new Set(all.map((i) => i.platform)).size).toBeGreaterThanOrEqual(6);
    expect(new Set(all.map((i) => i.architecture))).toEqual(new Set(['x86_64', 'arm64']));
    const builds = all.filter((i) => i.tags.family === 'ubuntu-24.04' && i.architecture === 'x86_64');
    expect(builds.map((i) => i.state).sort()).toEqual(['available', 'deprecated', 'deprecated']);
    const products = await sim.listProducts(region);
    expect(products.some((p) => p.cpuCount === 1 && p.memoryGb === 1)).toBe(true);
    expect(Math.max(...products.map((p) => p.cpuCount))).toBeGreaterThanOrEqual(32);
  });

  it('makes state a function of time, scaled by SIM_TIME_SCALE', async () => {
    let now = Date.parse('2026-11-27T00:00:00Z');
    const sim = new SimProvider({ timeScale: 0.1, now: () => now });
    const server = await launch(sim, 't1');
    expect(server.state).toBe('pending');
    now += 4_000; // boot takes 45 s × 0.1
    expect((await sim.getServer(region, server.id)).state).toBe('pending');
    now += 1_000;
    expect((await sim.getServer(region, server.id)).state).toBe('running');
    expect(await sim.statusChecks(region, server.id)).toBe('initializing');
    now += 3_000; // status checks pass 30 s × 0.1 after boot
    expect(await sim.statusChecks(region, server.id)).toBe('ok');
    const volume = await sim.createVolume(region, {
      sizeGb: 5,
      zone: server.zone,
      encrypted: false,
      clientToken: 'v1',
    });
    expect(volume.state).toBe('creating');
    now += 500;
    expect((await sim.getVolume(region, volume.id)).state).toBe('available');
  });

  it('honours client tokens: the same token gives the same server and volume', async () => {
    const sim = new SimProvider();
    const a = await launch(sim, 'same');
    const b = await launch(sim, 'same', 'other-name');
    expect(b.id).toBe(a.id);
    expect(await sim.listServers(region)).toHaveLength(1);
  });

  it('answers QuotaExceeded over the account quota, and counts terminated servers out', async () => {
    const sim = new SimProvider({ quotas: { servers: 2 } });
    const first = await launch(sim, 'q1');
    await launch(sim, 'q2');
    const over = await rejection(launch(sim, 'q3'));
    expect(over).toMatchObject({ code: 'QuotaExceeded', retryable: false });
    expect(over.message).toContain('2 of its 2 servers');
    await sim.terminateServer(region, first.id);
    expect((await launch(sim, 'q3')).state).toBe('running');
  });

  it('injects transient faults at a rate per operation', async () => {
    const sim = new SimProvider();
    sim.faults.setRate('createVolume', 1);
    const err = await rejection(
      sim.createVolume(region, { sizeGb: 1, zone: 'sim-east-1a', encrypted: false, clientToken: 'x' }),
    );
    expect(['Throttled', 'Unavailable']).toContain(err.code);
    expect(err.retryable).toBe(true);
    sim.faults.setRate('createVolume', 0);
    expect(
      (await sim.createVolume(region, { sizeGb: 1, zone: 'sim-east-1a', encrypted: false, clientToken: 'x' })).id,
    ).toMatch(/^vol-/);
  });

  it('runs scripted faults: the 2nd attachVolume fails with Unavailable, the others succeed', async () => {
    const sim = new SimProvider();
    sim.faults.script({ operation: 'attachVolume', nth: 2, code: 'Unavailable' });
    const server = await launch(sim, 's');
    const volumes = await Promise.all(
      ['a', 'b', 'c'].map((t) =>
        sim.createVolume(region, { sizeGb: 1, zone: server.zone, encrypted: false, clientToken: t }),
      ),
    );
    await sim.attachVolume(region, volumes[0]!.id, server.id, '/dev/sdf');
    expect((await rejection(sim.attachVolume(region, volumes[1]!.id, server.id, '/dev/sdg'))).code).toBe('Unavailable');
    await sim.attachVolume(region, volumes[1]!.id, server.id, '/dev/sdg');
    await sim.attachVolume(region, volumes[2]!.id, server.id, '/dev/sdh');
    expect(sim.guestDevices(region, server.id).map((d) => d.path)).toEqual([
      '/dev/disk/by-id/virtio-root',
      ...volumes.map((v) => `/dev/disk/by-id/virtio-${v.id}`),
    ]);
  });

  it('fails launches of a given image for good, and keeps a named server impaired, from configuration', async () => {
    const sim = new SimProvider({
      faults: parseFaultPlan(
        JSON.stringify({
          scripted: [
            { operation: 'launchServer', match: { imageId: 'img-simeast1-0009' }, code: 'QuotaExceeded' },
            { operation: 'statusChecks', match: { serverName: 'sick-1' }, impaired: true },
          ],
        }),
      ),
    });
    const err = await rejection(
      sim.launchServer(region, {
        imageId: 'img-simeast1-0009',
        productId: 'm1.small',
        name: 'web-1',
        clientToken: 'f',
      }),
    );
    expect(err).toMatchObject({ code: 'QuotaExceeded', retryable: false });
    const sick = await launch(sim, 'sick', 'sick-1');
    expect(await sim.statusChecks(region, sick.id)).toBe('impaired');
    expect(await sim.statusChecks(region, (await launch(sim, 'well', 'well-1')).id)).toBe('ok');
  });

  it('refuses a fault plan it cannot read, naming SIM_FAULTS', () => {
    expect(() => parseFaultPlan('{"rates":{"attachVolume":2}}')).toThrow(/SIM_FAULTS is not a valid fault plan/);
    expect(() => parseFaultPlan('not json')).toThrow(/SIM_FAULTS/);
  });

  it('keeps the public library read-only', async () => {
    const sim = new SimProvider();
    const err = await rejection(sim.updateImage(region, image, { name: 'mine-now' }));
    expect(err.code).toBe('InvalidInput');
    expect(err.message).toContain('clone it');
  });

  it('plays a cloud that can do less when told, and refuses what it was told it cannot do', async () => {
    const sim = new SimProvider({ capabilities: { deprecation: false, labels: false, volumeTypes: undefined } });
    const capabilities = await sim.capabilities(region);
    expect(capabilities).toMatchObject({
      deprecation: false,
      labels: false,
      disableImage: true,
      blockEncryption: true,
    });
    expect(capabilities.volumeTypes).toBeUndefined();
    const server = await launch(sim, 'less-1');
    const own = await sim.captureImage(region, { serverId: server.id, name: 'mine', reboot: false });
    expect((await rejection(sim.deprecateImage(region, own.id))).code).toBe('Unsupported');
    expect((await rejection(sim.updateImage(region, own.id, { labelColor: 'red' }))).message).toBe(
      'this cloud cannot label images',
    );
    expect((await sim.updateImage(region, own.id, { name: 'renamed' })).name).toBe('renamed');
    expect((await sim.disableImage(region, own.id)).state).toBe('disabled');
  });

  it('reads SIM_CAPABILITIES: less than the full set, [] for no disk types, and refuses more than it has', () => {
    expect(parseSimCapabilities(undefined)).toEqual({});
    expect(parseSimCapabilities('{"blockEncryption":false,"volumeTypes":[],"maxVolumesPerServer":4}')).toEqual({
      blockEncryption: false,
      volumeTypes: undefined,
      maxVolumesPerServer: 4,
    });
    expect(parseSimCapabilities('{"volumeTypes":["gp2"]}')).toEqual({ volumeTypes: ['gp2'] });
    expect(() => parseSimCapabilities('{"maxVolumesPerServer":40}')).toThrow(/SIM_CAPABILITIES is not valid/);
    expect(() => parseSimCapabilities('{"volumeTypes":["pd-ssd"]}')).toThrow(/SIM_CAPABILITIES/);
    expect(() => parseSimCapabilities('{"naming":{}}')).toThrow(/SIM_CAPABILITIES/);
    expect(() => parseSimCapabilities('not json')).toThrow(/SIM_CAPABILITIES/);
  });

  it('persists to its file, shared by every process that opens it', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sim-')), 'sim-cloud.db');
    const api = new SimProvider({ dbFile: file });
    const worker = new SimProvider({ dbFile: file });
    const server = await launch(worker, 'shared');
    expect((await api.getServer(region, server.id)).id).toBe(server.id);
    expect((await launch(api, 'shared')).id).toBe(server.id);
    // A third process, as the worker after a restart: it sees the server and reuses its token.
    const script = `
      import { SimProvider } from './providers/sim/sim-provider.ts';
      const sim = new SimProvider({ dbFile: ${JSON.stringify(file)} });
      const again = await sim.launchServer('sim-east-1', { imageId: '${image}', productId: 'm1.small', name: 'web-1', clientToken: 'shared' });
      const other = await sim.launchServer('sim-east-1', { imageId: '${image}', productId: 'm1.small', name: 'web-2', clientToken: 'child' });
      console.log(JSON.stringify({ again: again.id, other: other.id }));`;
    const out = JSON.parse(
      execFileSync('node', ['--import', 'tsx', '--input-type=module', '-e', script], {
        cwd: PROJECT_ROOT,
        encoding: 'utf8',
      }),
    ) as { again: string; other: string };
    expect(out.again).toBe(server.id);
    expect((await api.listServers(region)).map((s) => s.id).sort()).toEqual([server.id, out.other].sort());
    api.close();
    worker.close();
    const reopened = new SimProvider({ dbFile: file });
    expect((await reopened.getServer(region, out.other)).name).toBe('web-2');
    reopened.close();
  });

  it('indexes a file written before its indexes existed: tag and attachment lookups and live counts find the old rows', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sim-')), 'sim-cloud.db');
    const before = new SimProvider({ dbFile: file, quotas: { servers: 2 } });
    const server = await before.launchServer(region, {
      imageId: image,
      productId: 'm1.small',
      name: 'old',
      clientToken: 'old',
      tags: { 'workflow-id': 'launch-old' },
    });
    const volume = await before.createVolume(region, {
      zone: server.zone,
      sizeGb: 10,
      encrypted: false,
      clientToken: 'old-v',
      tags: { 'workflow-id': 'launch-old' },
    });
    await before.attachVolume(region, volume.id, server.id, '/dev/sdf');
    before.close();
    // Back to the first format: no index columns, no tags table, version 0.
    const db = new Database(file);
    db.exec(
      'DROP INDEX resources_by_attachment; DROP INDEX resources_by_end; ALTER TABLE resources DROP COLUMN attached_to; ALTER TABLE resources DROP COLUMN gone_at; DROP TABLE resource_tags',
    );
    db.pragma('user_version = 0');
    db.close();

    const after = new SimProvider({ dbFile: file, quotas: { servers: 2 } });
    const tag = { key: 'workflow-id', value: 'launch-old' };
    expect((await after.listServers(region, { tag })).map((s) => s.id)).toEqual([server.id]);
    expect((await after.listVolumes(region, { tag })).map((v) => v.id)).toEqual([volume.id]);
    expect((await after.listVolumes(region, { serverId: server.id })).map((v) => v.id)).toEqual([volume.id]);
    expect(await after.listServers(region, { tag: { key: 'workflow-id', value: 'launch-other' } })).toEqual([]);
    // The old server counts against the quota of 2 until it is terminated.
    await launch(after, 'second', 'web-2');
    expect(await rejection(launch(after, 'third', 'web-3'))).toMatchObject({ code: 'QuotaExceeded' });
    await after.terminateServer(region, server.id);
    expect((await launch(after, 'third', 'web-3')).name).toBe('web-3');
    after.close();
  });

  it('answers the lookups a launch makes from their indexes, not by reading every resource of the kind', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'sim-')), 'sim-cloud.db');
    const sim = new SimProvider({ dbFile: file });
    await launch(sim, 'plans');
    sim.close();
    const store = new RecordStore(file);
    expect(store.plan('onServer')).toContain(
      'USING INDEX resources_by_attachment (kind=? AND region=? AND attached_to=?)',
    );
    expect(store.plan('byTag')).toMatch(
      /SEARCH t USING (COVERING )?INDEX resource_tags_by_value \(key=\? AND value=\?\).*SEARCH r USING INDEX sqlite_autoindex_resources_1 \(id=\?\)/,
    );
    expect(store.plan('withNoEnd')).toContain(
      'USING COVERING INDEX resources_by_end (kind=? AND region=? AND gone_at=?)',
    );
    expect(store.plan('endingAfter')).toContain(
      'USING COVERING INDEX resources_by_end (kind=? AND region=? AND gone_at>?)',
    );
    store.close();
  });
});

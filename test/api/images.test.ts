import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageCatalog } from '../../api/image-catalog';
import type { MachineImage } from '../../domain/image';
import { LABEL_COLORS } from '../../domain/images';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startTestApi } from '../support/api';

const REGION = 'sim-east-1';
type Page = { items: MachineImage[]; nextCursor?: string };
const ids = (page: Page) => page.items.map((i) => i.id);

// The image routes that need no image workflow, on the sim; capture, clone and deletion itself are the workflows' tests.
describe('images API on the sim', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  let sim: SimProvider;
  let ubuntu: MachineImage;
  beforeAll(async () => {
    env = await startTestApi();
    sim = env.temporal.provider as SimProvider;
    ubuntu = (await sim.searchPublicImages(REGION, { q: 'ubuntu-24.04-x86_64', limit: 1 })).items[0]!;
  });
  afterAll(async () => env?.stop());
  const inject = (method: 'GET' | 'PATCH' | 'POST' | 'DELETE', url: string, payload?: object) =>
    env.app.inject({ method, url, ...(payload ? { payload } : {}) });
  const list = async (query: string): Promise<Page> => {
    const res = await inject('GET', `/v1/images?region=${REGION}&${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  /** An own image, made directly on the cloud: a server from `parent`, captured. */
  async function ownImage(
    parent = ubuntu.id,
    tags: Record<string, string> = {},
  ): Promise<{ image: MachineImage; serverId: string }> {
    const run = randomUUID().slice(0, 8);
    const server = await sim.launchServer(REGION, {
      imageId: parent,
      productId: 'm1.small',
      name: `src-${run}`,
      clientToken: run,
    });
    const image = await sim.captureImage(REGION, { serverId: server.id, name: `own-${run}`, reboot: false, tags });
    return { image, serverId: server.id };
  }

  it('searches the public library by name, platform and architecture, quickly', async () => {
    const started = Date.now();
    const page = await list('scope=public&q=ubuntu&platform=ubuntu&architecture=arm64');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(page.items.length).toBeGreaterThan(0);
    for (const image of page.items)
      expect(image).toMatchObject({
        platform: 'ubuntu',
        architecture: 'arm64',
        visibility: 'public',
        name: expect.stringContaining('ubuntu'),
      });
    const rocky = await list('scope=public&platform=rocky&architecture=arm64');
    expect(rocky.items).toEqual([]);
  });

  it('hides deprecated images unless includeDeprecated=true or state=deprecated', async () => {
    const visible = await list('scope=public&family=debian-12&limit=100');
    expect(visible.items.map((i) => i.state)).toEqual(['available', 'available']);
    const all = await list('scope=public&family=debian-12&includeDeprecated=true&limit=100');
    expect(all.items).toHaveLength(6);
    const deprecated = await list('scope=public&family=debian-12&state=deprecated&limit=100');
    expect(deprecated.items).toHaveLength(4);
    for (const image of deprecated.items) expect(image.state).toBe('deprecated');
  });

  it('renames an own image and sets and clears its label colour, visible in own listings', async () => {
    const { image } = await ownImage();
    expect(ids(await list('scope=own'))).toContain(image.id); // fills the cache before the change
    const renamed = await inject('PATCH', `/v1/images/${image.id}?region=${REGION}`, {
      name: `${image.name}-renamed`,
      labelColor: 'purple',
      description: 'golden',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({
      id: image.id,
      name: `${image.name}-renamed`,
      labelColor: 'purple',
      description: 'golden',
    });
    const listed = (await list(`scope=own&q=${image.name}-renamed`)).items;
    expect(listed).toEqual([expect.objectContaining({ id: image.id, labelColor: 'purple' })]);
    expect(ids(await list('scope=own&label=purple'))).toEqual([image.id]);

    const cleared = await inject('PATCH', `/v1/images/${image.id}?region=${REGION}`, { labelColor: 'none' });
    expect(cleared.json()).not.toHaveProperty('labelColor');
    expect(ids(await list('scope=own&label=purple'))).toEqual([]);
    expect(ids(await list('scope=own&label=none'))).toContain(image.id);
  });

  it('refuses changes to a public image with 409, saying to clone it', async () => {
    const res = await inject('PATCH', `/v1/images/${ubuntu.id}?region=${REGION}`, { labelColor: 'red' });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({
      code: 'not_own_image',
      message: expect.stringContaining(`POST /v1/images/${ubuntu.id}/clone`),
    });
    const deprecate = await inject('POST', `/v1/images/${ubuntu.id}/deprecate?region=${REGION}`, {});
    expect(deprecate.statusCode).toBe(409);
    const remove = await inject('DELETE', `/v1/images/${ubuntu.id}?region=${REGION}`);
    expect(remove.json().code).toBe('not_own_image');
  });

  it('answers a colour outside the palette, a name outside the cloud’s rule and an empty change with 400', async () => {
    const { image } = await ownImage();
    const colour = await inject('PATCH', `/v1/images/${image.id}?region=${REGION}`, { labelColor: 'pink' });
    expect(colour.statusCode).toBe(400);
    expect(colour.json().message).toContain(`body.labelColor: choose one of ${LABEL_COLORS.join(', ')}`);
    const name = await inject('PATCH', `/v1/images/${image.id}?region=${REGION}`, { name: 'no#hash' });
    expect(name.statusCode).toBe(400);
    expect(name.json()).toMatchObject({
      code: 'invalid_request',
      message: expect.stringContaining("use 3 to 128 letters, digits, spaces and ( ) [ ] . / - ' @ _"),
    });
    const empty = await inject('PATCH', `/v1/images/${image.id}?region=${REGION}`, {});
    expect(empty.statusCode).toBe(400);
    expect(empty.json().message).toContain('give at least one of name, description, labelColor');
    expect((await inject('PATCH', `/v1/images/img-nope?region=${REGION}`, { labelColor: 'red' })).statusCode).toBe(404);
  });

  it('shows an image with its lineage and the servers running from it', async () => {
    const { image, serverId } = await ownImage();
    const child = await sim.launchServer(REGION, {
      imageId: image.id,
      productId: 'm1.small',
      name: 'from-own',
      clientToken: randomUUID(),
    });
    const res = await inject('GET', `/v1/images/${image.id}?region=${REGION}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: image.id,
      state: 'available',
      lineage: { parentImageId: ubuntu.id, sourceServerId: serverId },
      servers: { count: 1, ids: [child.id] },
    });
    expect(res.json()).not.toHaveProperty('extra');
    const publicOne = (await inject('GET', `/v1/images/${ubuntu.id}?region=${REGION}`)).json();
    expect(publicOne.lineage).toEqual({ family: 'ubuntu-24.04', version: ubuntu.tags.version });
    expect((await inject('GET', `/v1/images/img-nope?region=${REGION}`)).statusCode).toBe(404);
  });

  it('deprecates an own image: it leaves default listings, shows with includeDeprecated, and names its replacement', async () => {
    const { image } = await ownImage();
    const res = await inject('POST', `/v1/images/${image.id}/deprecate?region=${REGION}`, {
      replacementImageId: ubuntu.id,
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ id: image.id, state: 'deprecated' });
    expect(ids(await list('scope=own&limit=1000'))).not.toContain(image.id);
    expect(ids(await list('scope=own&includeDeprecated=true&limit=1000'))).toContain(image.id);
    expect(ids(await list('scope=own&state=deprecated'))).toContain(image.id);
    expect((await inject('GET', `/v1/images/${image.id}?region=${REGION}`)).json().lineage.replacedBy).toBe(ubuntu.id);
    const badTime = await inject('POST', `/v1/images/${image.id}/deprecate?region=${REGION}`, { at: 'tomorrow' });
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json().message).toContain('body.at');
  });

  it('refuses deletion while a server launched from the image runs or an image names it as parent, and accepts it once they are gone', async () => {
    const { image } = await ownImage();
    const server = await sim.launchServer(REGION, {
      imageId: image.id,
      productId: 'm1.small',
      name: 'user',
      clientToken: randomUUID(),
    });
    const grandchild = await sim.captureImage(REGION, {
      serverId: server.id,
      name: `child-${randomUUID().slice(0, 8)}`,
      reboot: false,
      tags: { 'parent-image': image.id },
    });
    const refused = await inject('DELETE', `/v1/images/${image.id}?region=${REGION}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'image_in_use' });
    expect(refused.json().message).toContain(server.id);
    expect(refused.json().message).toContain(grandchild.id);
    expect(refused.json().message).toContain('force=true');

    await sim.terminateServer(REGION, server.id);
    await sim.deregisterImage(REGION, grandchild.id);
    const accepted = await inject('DELETE', `/v1/images/${image.id}?region=${REGION}`);
    expect(accepted.statusCode, accepted.body).toBe(202);
    expect(accepted.json()).toEqual({
      id: `delete-image-${image.id}`,
      workflowId: `delete-image-${image.id}`,
      statusUrl: `/v1/operations/delete-image-${image.id}`,
    });
    expect((await inject('GET', accepted.json().statusUrl)).statusCode).toBe(200);
    expect((await inject('DELETE', `/v1/images/img-nope?region=${REGION}`)).statusCode).toBe(404);
  });

  it('lists own images first, then the public library, across pages with one cursor', async () => {
    const own = (await list('scope=own&limit=1000')).items;
    expect(own.length).toBeGreaterThan(0);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await list(`scope=all&platform=ubuntu&limit=3${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(...ids(page));
      cursor = page.nextCursor;
    } while (cursor);
    const ownUbuntu = own.filter((i) => i.platform === 'ubuntu').map((i) => i.id);
    expect(seen.slice(0, ownUbuntu.length)).toEqual(ownUbuntu);
    expect(seen).toContain(ubuntu.id);
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('answers a bad cursor with 400 naming cursor', async () => {
    for (const cursor of ['garbage', Buffer.from(JSON.stringify({ p: 'own', o: 0 })).toString('base64url')]) {
      const res = await inject('GET', `/v1/images?region=${REGION}&scope=public&cursor=${cursor}`);
      expect(res.statusCode).toBe(400);
      expect(res.json().message).toContain('querystring.cursor');
    }
  });

  it('refuses to capture from a server or clone an image that does not exist, starting nothing', async () => {
    const capture = await inject('POST', '/v1/images', { region: REGION, serverId: 'srv-nope', name: 'never' });
    expect(capture.statusCode).toBe(404);
    const clone = await inject('POST', `/v1/images/img-nope/clone`, { region: REGION, name: 'never' });
    expect(clone.statusCode).toBe(404);
    expect(await env.temporal.countWorkflows("WorkflowType IN ('captureImage', 'cloneTemplate')")).toBe(0);
  });

  it('starts one capture per Idempotency-Key: the same request answers 200 with it, another request 409', async () => {
    const server = await sim.launchServer(REGION, {
      imageId: ubuntu.id,
      productId: 'm1.small',
      name: 'to-capture',
      clientToken: randomUUID(),
    });
    const key = `cap-${randomUUID()}`;
    const body = { region: REGION, serverId: server.id, name: `captured-${key.slice(4, 12)}` };
    const capture = (payload: object) =>
      env.app.inject({ method: 'POST', url: '/v1/images', headers: { 'idempotency-key': key }, payload });
    const first = await capture(body);
    expect(first.statusCode, first.body).toBe(202);
    expect(first.json()).toEqual({
      id: `capture-${key}`,
      workflowId: `capture-${key}`,
      statusUrl: `/v1/operations/capture-${key}`,
    });
    const again = await capture({ ...body, reboot: false });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(`capture-${key}`);
    const other = await capture({ ...body, reboot: true });
    expect(other.statusCode).toBe(409);
    expect(other.json().code).toBe('idempotency_key_reused');
  });
  async function operationDone(statusUrl: string) {
    for (let i = 0; i < 150; i++) {
      const op = (await inject('GET', statusUrl)).json();
      if (op.status !== 'running') return op;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`${statusUrl} still running`);
  }

  it('captures, clones and deletes through the API, end to end on the real workflows', async () => {
    const server = await sim.launchServer(REGION, {
      imageId: ubuntu.id,
      productId: 'm1.small',
      name: 'api-src',
      clientToken: randomUUID(),
    });
    const capture = await inject('POST', '/v1/images', {
      region: REGION,
      serverId: server.id,
      name: `api-capture-${randomUUID().slice(0, 8)}`,
      reboot: true,
    });
    expect(capture.statusCode).toBe(202);
    const captured = await operationDone(capture.json().statusUrl);
    expect(captured).toMatchObject({
      status: 'completed',
      type: 'captureImage',
      result: { state: 'available', tags: { 'parent-image': ubuntu.id } },
    });
    const own = await list('scope=own&limit=1000');
    expect(own.items.map((i) => i.id)).toContain(captured.result.id);

    const clone = await inject('POST', `/v1/images/${ubuntu.id}/clone`, {
      name: `api-clone-${randomUUID().slice(0, 8)}`,
      region: REGION,
    });
    expect(clone.statusCode).toBe(202);
    const cloned = await operationDone(clone.json().statusUrl);
    expect(cloned).toMatchObject({
      status: 'completed',
      type: 'cloneTemplate',
      result: { sourceImageId: ubuntu.id, image: { state: 'available', visibility: 'private' } },
    });
    const temporary = await sim.listServers(REGION, {
      tag: { key: 'clone-workflow-id', value: clone.json().workflowId },
    });
    expect(temporary.every((s) => s.state === 'terminated')).toBe(true);

    const deletion = await inject('DELETE', `/v1/images/${cloned.result.image.id}?region=${REGION}`);
    expect(deletion.statusCode).toBe(202);
    expect(await operationDone(deletion.json().statusUrl)).toMatchObject({
      status: 'completed',
      result: { deleted: true },
    });
    expect((await inject('GET', `/v1/images/${cloned.result.image.id}?region=${REGION}`)).statusCode).toBe(404);
  });
});

describe('ImageCatalog cache', () => {
  it('answers from the cache for 30 s, and afresh after invalidate() or expiry', async () => {
    const sim = new SimProvider();
    let now = 0;
    const catalog = new ImageCatalog(sim, () => now);
    const query = { region: REGION, scope: 'own' as const, includeDeprecated: false, limit: 50 };
    expect((await catalog.list(query)).items).toEqual([]);
    const server = await sim.launchServer(REGION, {
      imageId: 'img-simeast1-0003',
      productId: 'm1.small',
      name: 'c',
      clientToken: 'c',
    });
    const image = await sim.captureImage(REGION, { serverId: server.id, name: 'cached', reboot: false });
    expect((await catalog.list(query)).items).toEqual([]);
    now += 30_001;
    expect(ids(await catalog.list(query))).toEqual([image.id]);
    await sim.updateImage(REGION, image.id, { name: 'changed' });
    catalog.invalidate();
    expect((await catalog.list(query)).items[0]?.name).toBe('changed');
    sim.close();
  });
});

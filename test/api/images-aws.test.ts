import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MachineImage } from '../../domain/image';
import { LABEL_COLORS } from '../../domain/images';
import type { AwsProvider } from '../../providers/aws/aws-provider';
import { startAwsTestApi } from '../support/aws-api';

const REGION = 'us-east-1';
type Page = { items: MachineImage[]; nextCursor?: string };

// The image routes on the EC2 driver against moto (its ~1,100 default public AMIs). moto lacks
// EnableImageDeprecation, so deprecation answers 501 here; hiding deprecated images is proven on the sim.
describe('images API on aws (moto)', () => {
  let aws: AwsProvider;
  let env: Awaited<ReturnType<typeof startAwsTestApi>>;
  let base: MachineImage;
  beforeAll(async () => {
    env = await startAwsTestApi(REGION);
    aws = env.aws;
    base = (await aws.searchPublicImages(REGION, { q: 'ubuntu', architecture: 'x86_64', limit: 50 })).items.find(
      (i) => i.state === 'available',
    )!;
  });
  afterAll(async () => {
    await env?.stop();
  });
  const inject = (method: 'GET' | 'PATCH' | 'POST' | 'DELETE', url: string, payload?: object) =>
    env.app.inject({ method, url, ...(payload ? { payload } : {}) });
  const list = async (query: string): Promise<Page> => {
    const res = await inject('GET', `/v1/images?region=${REGION}&${query}`);
    expect(res.statusCode, res.body).toBe(200);
    return res.json();
  };

  /** An own image, made directly on EC2 and tagged with its lineage as the capture workflow tags it. */
  async function ownImage(): Promise<{ image: MachineImage; serverId: string }> {
    const run = randomUUID().slice(0, 8);
    const server = await aws.launchServer(REGION, {
      imageId: base.id,
      productId: 't3.micro',
      name: `src-${run}`,
      clientToken: run,
    });
    const tags = { 'parent-image': base.id, 'source-server': server.id };
    const image = await aws.captureImage(REGION, { serverId: server.id, name: `own-${run}`, reboot: false, tags });
    return { image, serverId: server.id };
  }

  it('searches the public library by name, platform and architecture', async () => {
    const ubuntu = await list('scope=public&q=UBUNTU&platform=ubuntu&architecture=x86_64&limit=100');
    expect(ubuntu.items.length).toBeGreaterThan(0);
    for (const image of ubuntu.items)
      expect(image).toMatchObject({
        platform: 'ubuntu',
        architecture: 'x86_64',
        visibility: 'public',
        name: expect.stringMatching(/ubuntu/i),
      });
    const arm = await list('scope=public&platform=amazon-linux&architecture=arm64&limit=20');
    expect(arm.items.length).toBeGreaterThan(0);
    for (const image of arm.items) expect(image).toMatchObject({ platform: 'amazon-linux', architecture: 'arm64' });
    expect((await list('scope=public&q=no-such-image-anywhere')).items).toEqual([]);
  });

  it("says what EC2 can do: block encryption, IPv6 rules, EC2's disk types", async () => {
    const res = await inject('GET', `/v1/capabilities?region=${REGION}`);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      provider: 'aws',
      region: REGION,
      blockEncryption: true,
      ipv6Firewall: true,
      volumeTypes: expect.arrayContaining(['gp3']),
    });
  });

  it('renames an own image and sets and clears its label colour, visible in own listings', async () => {
    const { image } = await ownImage();
    expect((await list('scope=own')).items.map((i) => i.id)).toContain(image.id); // fills the cache before the change
    const renamed = await inject('PATCH', `/v1/images/${image.id}?region=${REGION}`, {
      name: `${image.name} (golden)`,
      labelColor: 'orange',
    });
    expect(renamed.statusCode, renamed.body).toBe(200);
    expect(renamed.json()).toMatchObject({ id: image.id, name: `${image.name} (golden)`, labelColor: 'orange' });
    const listed = (await list('scope=own&label=orange')).items;
    expect(listed).toEqual([expect.objectContaining({ id: image.id, name: `${image.name} (golden)` })]);
    expect((await list(`scope=own&q=${encodeURIComponent('(golden)')}`)).items.map((i) => i.id)).toEqual([image.id]);

    const cleared = await inject('PATCH', `/v1/images/${image.id}?region=${REGION}`, { labelColor: 'none' });
    expect(cleared.statusCode, cleared.body).toBe(200);
    expect(cleared.json()).not.toHaveProperty('labelColor');
    expect((await list('scope=own&label=orange')).items).toEqual([]);
  });

  it('refuses to change a public image (409), a colour outside the palette and a name outside EC2’s rule (400)', async () => {
    const publicOne = await inject('PATCH', `/v1/images/${base.id}?region=${REGION}`, { name: 'mine now' });
    expect(publicOne.statusCode).toBe(409);
    expect(publicOne.json()).toMatchObject({
      code: 'not_own_image',
      message: expect.stringContaining('clone it first'),
    });
    const { image } = await ownImage();
    const colour = await inject('PATCH', `/v1/images/${image.id}?region=${REGION}`, { labelColor: 'teal' });
    expect(colour.statusCode).toBe(400);
    expect(colour.json().message).toContain(LABEL_COLORS.join(', '));
    const name = await inject('PATCH', `/v1/images/${image.id}?region=${REGION}`, { name: 'ab' });
    expect(name.statusCode).toBe(400);
    expect(name.json().message).toContain('an image name is 3 to 128 characters');
  });

  it('answers deprecation with 501, since moto cannot deprecate', async () => {
    const { image } = await ownImage();
    const res = await inject('POST', `/v1/images/${image.id}/deprecate?region=${REGION}`, {});
    expect(res.statusCode).toBe(501);
    expect(res.json().code).toBe('not_supported');
  });

  it('shows an image with its lineage and the servers running from it, and refuses its deletion while one runs', async () => {
    const { image, serverId } = await ownImage();
    const user = await aws.launchServer(REGION, {
      imageId: image.id,
      productId: 't3.micro',
      name: 'user',
      clientToken: randomUUID(),
    });
    const shown = await inject('GET', `/v1/images/${image.id}?region=${REGION}`);
    expect(shown.statusCode, shown.body).toBe(200);
    expect(shown.json()).toMatchObject({
      lineage: { parentImageId: base.id, sourceServerId: serverId },
      servers: { count: 1, ids: [user.id] },
    });

    const refused = await inject('DELETE', `/v1/images/${image.id}?region=${REGION}`);
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'image_in_use', message: expect.stringContaining(user.id) });
  });
});

import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CaptureRequestSchema, CloneRequestSchema } from '../../domain/images';
import { SimProvider } from '../../providers/sim/sim-provider';
import { captureImage } from '../../workflows/capture-image';
import { cloneTemplate } from '../../workflows/clone-template';
import { deleteImage } from '../../workflows/delete-image';
import { launchRequest, leftovers, startLaunch } from '../support/launches';
import { startTestWorker } from '../support/temporal';

const region = 'sim-east-1';

describe('image workflows: capture, clone, delete', () => {
  const sim = new SimProvider({ timeScale: 0 });
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    env = await startTestWorker({ provider: sim });
  });
  afterAll(async () => env?.stop());
  beforeEach(() => sim.faults.clear());

  const where = (prefix: string) => ({
    taskQueue: env.config.TEMPORAL_TASK_QUEUE,
    workflowId: `${prefix}-${randomUUID()}`,
  });
  const server = async (name = 'source-1') =>
    (await (await startLaunch(env.client, env.config.TEMPORAL_TASK_QUEUE, launchRequest({ name }))).result()).server.id;
  const imagesOf = async (workflowId: string) =>
    (await sim.listImages(region, { limit: 1000 })).items.filter((i) => i.tags['workflow-id'] === workflowId);
  const failure = async (promise: Promise<unknown>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WorkflowFailedError);
    return (err as WorkflowFailedError).cause?.cause ?? (err as WorkflowFailedError).cause;
  };

  it('captures an image from a running server, without stopping it, with its lineage', async () => {
    const serverId = await server();
    const handle = await env.client.workflow.start(captureImage, {
      ...where('capture'),
      args: [CaptureRequestSchema.parse({ region, serverId, name: `web-${randomUUID().slice(0, 8)}` })],
    });
    const image = await handle.result();
    expect(image).toMatchObject({ state: 'available', visibility: 'private' });
    expect(image.tags).toMatchObject({
      'parent-image': 'img-simeast1-0003',
      'source-server': serverId,
      'workflow-id': handle.workflowId,
    });
    expect((await sim.getServer(region, serverId)).state).toBe('running');
  });

  it('captures with reboot: stops the server, captures from it stopped, and starts it again', async () => {
    const serverId = await server();
    const handle = await env.client.workflow.start(captureImage, {
      ...where('capture'),
      args: [CaptureRequestSchema.parse({ region, serverId, name: `rb-${randomUUID().slice(0, 8)}`, reboot: true })],
    });
    const image = await handle.result();
    expect(image.state).toBe('available');
    expect(image.extra).toMatchObject({ sourceServerId: serverId });
    const history = await env.client.workflow.getHandle(handle.workflowId).fetchHistory();
    const activities = history.events
      ?.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(activities).toEqual([
      'checkCapturable',
      'stopServerAndWait',
      'startCapture',
      'checkImageAvailable',
      'startServerAndWait',
    ]);
    expect((await sim.getServer(region, serverId)).state).toBe('running');
  });

  it("raises the capture's own error when its undos fail too, and runs each of them", async () => {
    const serverId = await server('undo-fails');
    // The image never becomes available, and both undos are refused for good: deleting the half-made image and
    // starting the server again. Each is still tried, and the error raised is the capture's, not an undo's.
    sim.faults.script({ operation: 'captureImage', match: { serverName: 'undo-fails' }, stuck: true });
    sim.faults.script({ operation: 'deregisterImage', code: 'InvalidInput', message: 'the image will not go' });
    sim.faults.script({ operation: 'startServer', code: 'InvalidInput', message: 'the server will not start' });
    const handle = await env.client.workflow.start(captureImage, {
      ...where('capture'),
      args: [
        CaptureRequestSchema.parse({
          region,
          serverId,
          name: `uf-${randomUUID().slice(0, 8)}`,
          reboot: true,
          timeout: '3s',
        }),
      ],
    });
    expect(await failure(handle.result())).toMatchObject({ type: 'CaptureTimeout' });
    const activities = (await handle.fetchHistory()).events
      ?.map((e) => e.activityTaskScheduledEventAttributes?.activityType?.name)
      .filter(Boolean);
    expect(activities, 'the image undo first, then the restart').toEqual([
      'checkCapturable',
      'stopServerAndWait',
      'startCapture',
      'checkImageAvailable',
      'readImage',
      'releaseImages',
      'startServerAndWait',
    ]);
    sim.faults.clear();
    expect((await sim.getServer(region, serverId)).state, 'its restart was refused').toBe('stopped');
    expect(await imagesOf(handle.workflowId), 'its removal was refused: the reaper takes it later').toHaveLength(1);
  }, 30_000);

  it('fails a capture whose image never becomes available at its limit, and leaves no half-made image', async () => {
    const serverId = await server('stuck-source');
    sim.faults.script({ operation: 'captureImage', match: { serverId }, stuck: true });
    const handle = await env.client.workflow.start(captureImage, {
      ...where('capture'),
      args: [
        CaptureRequestSchema.parse({ region, serverId, name: `stuck-${randomUUID().slice(0, 8)}`, timeout: '3s' }),
      ],
    });
    const cause = await failure(handle.result());
    expect(cause).toMatchObject({
      type: 'CaptureTimeout',
      message: expect.stringMatching(/was not available within 3 s \(it is pending\)/),
    });
    expect(await imagesOf(handle.workflowId)).toEqual([]);
  }, 30_000);

  it('clones a provided template into an available private image, leaving no temporary resources', async () => {
    const handle = await env.client.workflow.start(cloneTemplate, {
      ...where('clone'),
      args: [
        {
          ...CloneRequestSchema.parse({ name: `ubuntu-copy-${randomUUID().slice(0, 8)}`, region }),
          sourceImageId: 'img-simeast1-0009',
        },
      ],
    });
    const result = await handle.result();
    expect(result.image).toMatchObject({ state: 'available', visibility: 'private' });
    expect(result.image.tags).toMatchObject({ 'parent-image': 'img-simeast1-0009', family: 'ubuntu-24.04' });
    expect(result.serverId).toBeUndefined();
    expect(await leftovers(sim, `launch-${handle.workflowId}`)).toEqual({
      servers: [],
      volumes: [],
      firewalls: [],
      keypairs: [],
    });
  });

  it('leaves no temporary server and no image when the capture step fails for good', async () => {
    sim.faults.script({ operation: 'captureImage', code: 'InvalidInput' });
    const handle = await env.client.workflow.start(cloneTemplate, {
      ...where('clone'),
      args: [
        {
          ...CloneRequestSchema.parse({ name: `broken-${randomUUID().slice(0, 8)}`, region }),
          sourceImageId: 'img-simeast1-0009',
        },
      ],
    });
    const err = await handle.result().then(
      () => undefined,
      (e: unknown) => e,
    );
    const chain: string[] = [];
    for (let e: unknown = err; e instanceof Error; e = e.cause) chain.push(e.message);
    expect(chain.join(' <- ')).toContain('simulated InvalidInput fault injected into captureImage');
    sim.faults.clear();
    expect(await leftovers(sim, `launch-${handle.workflowId}`)).toEqual({
      servers: [],
      volumes: [],
      firewalls: [],
      keypairs: [],
    });
    expect(await imagesOf(`capture-${handle.workflowId}`)).toEqual([]);
  });

  it("leaves no image and no temporary server when the clone's capture never becomes available", async () => {
    // The temporary server's name derives from the clone's workflow id: script the stuck capture for it.
    const handle = await env.client.workflow.start(cloneTemplate, {
      ...where('clone'),
      args: [
        {
          ...CloneRequestSchema.parse({ name: `never-${randomUUID().slice(0, 8)}`, region, timeout: '3s' }),
          sourceImageId: 'img-simeast1-0009',
        },
      ],
    });
    const serverName = `tmp-${handle.workflowId
      .replace(/[^a-z0-9]/gi, '')
      .toLowerCase()
      .slice(-20)}`;
    sim.faults.script({ operation: 'captureImage', match: { serverName }, stuck: true });
    await handle.result().then(
      () => undefined,
      () => undefined,
    );
    const history = await handle.fetchHistory();
    expect(history.events?.some((e) => e.childWorkflowExecutionFailedEventAttributes)).toBe(true);
    sim.faults.clear();
    expect(await imagesOf(`capture-${handle.workflowId}`)).toEqual([]);
    expect(await leftovers(sim, `launch-${handle.workflowId}`)).toEqual({
      servers: [],
      volumes: [],
      firewalls: [],
      keypairs: [],
    });
  }, 30_000);

  it('refuses to delete an image a server still runs from, and deletes it once that server is terminated', async () => {
    const serverId = await server();
    const image = await (
      await env.client.workflow.start(captureImage, {
        ...where('capture'),
        args: [CaptureRequestSchema.parse({ region, serverId, name: `del-${randomUUID().slice(0, 8)}` })],
      })
    ).result();
    const launched = await (
      await startLaunch(
        env.client,
        env.config.TEMPORAL_TASK_QUEUE,
        launchRequest({ imageId: image.id, name: 'user-1' }),
      )
    ).result();
    const refused = await failure(
      (
        await env.client.workflow.start(deleteImage, {
          ...where('delete-image'),
          args: [{ region, imageId: image.id, force: false }],
        })
      ).result(),
    );
    expect(refused).toMatchObject({ type: 'ImageInUse', message: expect.stringContaining(launched.server.id) });
    await sim.terminateServer(region, launched.server.id);
    const deleted = await (
      await env.client.workflow.start(deleteImage, {
        ...where('delete-image'),
        args: [{ region, imageId: image.id, force: false }],
      })
    ).result();
    expect(deleted).toEqual({ imageId: image.id, deleted: true });
    await expect(sim.getImage(region, image.id)).rejects.toMatchObject({ code: 'NotFound' });
  });

  it('warns a launch from a deprecated image, naming its replacement', async () => {
    const serverId = await server();
    const old = await (
      await env.client.workflow.start(captureImage, {
        ...where('capture'),
        args: [CaptureRequestSchema.parse({ region, serverId, name: `old-${randomUUID().slice(0, 8)}` })],
      })
    ).result();
    await sim.deprecateImage(region, old.id, { replacementId: 'img-simeast1-0009' });
    const result = await (
      await startLaunch(
        env.client,
        env.config.TEMPORAL_TASK_QUEUE,
        launchRequest({ imageId: old.id, name: 'legacy-1' }),
      )
    ).result();
    expect(result.warnings).toContainEqual(`image ${old.id} is deprecated; its replacement is img-simeast1-0009`);
  });
});

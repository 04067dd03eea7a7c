import { randomUUID } from 'node:crypto';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LaunchRequest } from '../../domain/launch-request';
import { LaunchStep } from '../../domain/search-attributes';
import { launchServer } from '../../workflows/launch-server';
import { startTestWorker } from '../support/temporal';

const request = (overrides: Partial<LaunchRequest> = {}): LaunchRequest => ({
  imageId: 'img-simeast1-0003',
  name: 'web-1',
  region: 'sim-east-1',
  product: { cpu: 2, memoryGb: 4, storageGb: 20 },
  group: 'ops',
  billingCode: 'ops-7',
  ...overrides,
});

describe('launchServer workflow', () => {
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    env = await startTestWorker();
  });
  afterAll(async () => env?.stop());

  const run = (input: LaunchRequest) =>
    env.client.workflow.start(launchServer, { args: [input], taskQueue: env.config.TEMPORAL_TASK_QUEUE, workflowId: `launch-${randomUUID()}` });

  it('settles the image and the smallest fitting product of its architecture in preflight', async () => {
    const handle = await run(request());
    const result = await handle.result();
    expect(result.plan.image).toMatchObject({ id: 'img-simeast1-0003', architecture: 'x86_64', state: 'available' });
    expect(result.plan.product).toMatchObject({ id: 'm1.medium', cpuCount: 2, memoryGb: 4 });
    expect(result.steps).toEqual([expect.objectContaining({ name: 'preflight', status: 'completed' })]);
    const description = await handle.describe();
    expect(description.typedSearchAttributes.get(LaunchStep)).toBe('preflight');
  });

  it('warns, but launches, from a deprecated image', async () => {
    const result = await (await run(request({ imageId: 'img-simeast1-0001' }))).result();
    expect(result.warnings).toEqual([expect.stringContaining('deprecated')]);
  });

  it('fails fast and for good when the image does not exist, saying which', async () => {
    const handle = await run(request({ imageId: 'img-missing' }));
    const failure = await handle.result().catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(WorkflowFailedError);
    const cause = (failure as WorkflowFailedError).cause?.cause;
    expect(cause).toBeInstanceOf(ApplicationFailure);
    expect(cause).toMatchObject({ type: 'NotFound', message: 'image img-missing does not exist in region sim-east-1' });
    // One attempt only: a missing image is not a transient failure.
    const history = await handle.fetchHistory();
    const started = history.events?.filter((e) => e.activityTaskStartedEventAttributes) ?? [];
    expect(started.map((e) => e.activityTaskStartedEventAttributes?.attempt)).toEqual([1]);
  });

  it('refuses a product that the image architecture has no match for, naming the choices', async () => {
    const handle = await run(request({ product: { productId: 'a1.small' } }));
    const failure = (await handle.result().catch((err: unknown) => err)) as WorkflowFailedError;
    expect(failure.cause?.cause).toMatchObject({
      type: 'ProductUnavailable',
      message: expect.stringContaining('product a1.small is not offered for x86_64 images in sim-east-1; choose one of m1.micro, m1.small'),
    });
    const progress = await handle.query<{ steps: { status: string; detail?: string }[] }>('progress');
    expect(progress.steps[0]).toMatchObject({ status: 'failed', detail: expect.stringContaining('a1.small') });
  });
});

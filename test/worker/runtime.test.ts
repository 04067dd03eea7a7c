import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { installRuntime } from '../../worker/runtime';
import { launchServer } from '../../workflows/launch-server';
import { launchRequest } from '../support/launches';
import { startTestWorker } from '../support/temporal';

const lines: Record<string, unknown>[] = [];
const capture = new Writable({
  write(chunk: Buffer, _encoding, done) {
    lines.push(
      ...chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>),
    );
    done();
  },
});

describe('worker logs', () => {
  let env: Awaited<ReturnType<typeof startTestWorker>>;
  beforeAll(async () => {
    installRuntime(pino({ level: 'info', base: { role: 'worker' } }, capture));
    env = await startTestWorker();
  });
  afterAll(async () => env?.stop());

  it('are pino JSON lines that carry the workflow id and run id of the run they are about', async () => {
    const workflowId = `launch-${randomUUID()}`;
    const handle = await env.client.workflow.start(launchServer, {
      workflowId,
      taskQueue: env.config.TEMPORAL_TASK_QUEUE,
      args: [launchRequest({ imageId: 'img-absent' })],
    });
    await handle.result().catch(() => undefined);
    const stepFailed = lines.find((line) => line.msg === 'launch step failed');
    expect(stepFailed).toMatchObject({
      role: 'worker',
      level: 40,
      workflowId,
      runId: handle.firstExecutionRunId,
      step: 'preflight',
    });
    const activityLine = lines.find((line) => line.workflowId === workflowId && line.activityType === 'preflight');
    expect(activityLine).toBeDefined();
  });
});

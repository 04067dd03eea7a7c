import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import type { CloudProvider } from '../../providers/cloud-provider';
import { SimProvider } from '../../providers/sim/sim-provider';
import { createWorker } from '../../worker/worker';

/** Tests read failures from assertions; the SDK's info lines would only bury them. A test may install its own first. */
function quietRuntime(): void {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // already installed by this test file
  }
}

/** A client and a running worker on the run's dev server, on a task queue of this test file's own. */
export async function startTestWorker(options: { provider?: CloudProvider } = {}) {
  quietRuntime();
  const address = inject('temporalAddress');
  const config = { TEMPORAL_NAMESPACE: 'default', TEMPORAL_TASK_QUEUE: `test-${randomUUID()}` };
  const nativeConnection = await NativeConnection.connect({ address });
  const provider = options.provider ?? new SimProvider();
  const worker: Worker = await createWorker({ config, connection: nativeConnection, provider });
  const running = worker.run();
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    config,
    client,
    worker,
    provider,
    async stop() {
      worker.shutdown();
      await running;
      await nativeConnection.close();
      await connection.close();
    },
  };
}

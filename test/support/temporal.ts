import { randomUUID } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { inject } from 'vitest';
import type { CloudProvider } from '../../providers/cloud-provider';
import { SimProvider } from '../../providers/sim/sim-provider';
import { startWorker } from '../../worker/worker';

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
  const provider = options.provider ?? new SimProvider();
  const worker = await startWorker({ config, address, provider });
  const connection = await Connection.connect({ address });
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  return {
    config,
    client,
    provider,
    /** Workflows of this file only: other files share the dev server. */
    countWorkflows: async (query = '') =>
      (await client.workflow.count(`TaskQueue = '${config.TEMPORAL_TASK_QUEUE}'${query ? ` AND ${query}` : ''}`)).count,
    async stop() {
      await worker.stop();
      await connection.close();
    },
  };
}

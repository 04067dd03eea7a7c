import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker, type WorkflowBundle } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { Config } from '../config/config';

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface WorkerDeps extends ActivityDeps {
  config: Pick<Config, 'TEMPORAL_NAMESPACE' | 'TEMPORAL_TASK_QUEUE'>;
  connection: NativeConnection;
  /** A prebuilt bundle (tests build one per file); otherwise the worker bundles workflows/ itself. */
  workflowBundle?: WorkflowBundle;
}

export async function createWorker(deps: WorkerDeps): Promise<Worker> {
  return Worker.create({
    connection: deps.connection,
    namespace: deps.config.TEMPORAL_NAMESPACE,
    taskQueue: deps.config.TEMPORAL_TASK_QUEUE,
    ...(deps.workflowBundle ? { workflowBundle: deps.workflowBundle } : { workflowsPath: WORKFLOWS_PATH }),
    activities: createActivities(deps),
  });
}

export interface RunningWorker {
  /** Settles when the worker has stopped; rejects if it failed. */
  running: Promise<void>;
  /** Drains: running activities finish, no new tasks are taken. */
  stop(): Promise<void>;
}

/** Connects, creates and runs the worker role; `stop()` drains it and closes its connection. */
export async function startWorker(deps: Omit<WorkerDeps, 'connection'> & { address: string }): Promise<RunningWorker> {
  const connection = await NativeConnection.connect({ address: deps.address });
  let worker: Worker;
  try {
    worker = await createWorker({ ...deps, connection });
  } catch (err) {
    await connection.close();
    throw err;
  }
  const running = worker.run().finally(() => connection.close());
  return {
    running,
    async stop() {
      // A worker that already failed or stopped has nothing to drain.
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await running.catch(() => undefined);
    },
  };
}

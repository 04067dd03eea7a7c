import { Connection, type ConnectionOptions } from '@temporalio/client';
import type { GuardedChild } from './guarded-child';

// A Temporal server this project started (the dev server, the cluster's) is ready once it answers GetSystemInfo.

export interface ServingWait {
  /** For messages: `the Temporal dev server`. */
  name: string;
  server: GuardedChild;
  timeoutMs: number;
  /** How the server's last lines read in a failure (the cluster's are JSON). */
  show?: (lines: string[]) => string;
}

/** Polls until the server answers, and hands back that connection; fails at once if the server exits. */
export async function waitUntilServing(
  options: ConnectionOptions & { address: string },
  wait: ServingWait,
): Promise<Connection> {
  const show = wait.show ?? ((lines: string[]) => lines.join('\n'));
  const deadline = Date.now() + wait.timeoutMs;
  for (;;) {
    if (wait.server.exited()) {
      throw new Error(
        `${wait.name} exited (${wait.server.child.exitCode ?? wait.server.child.signalCode}) before serving:\n${show(wait.server.output())}`,
      );
    }
    try {
      const connection = await Connection.connect({ connectTimeout: 2_000, ...options });
      try {
        await connection.workflowService.getSystemInfo({});
        return connection;
      } catch (err) {
        await connection.close();
        throw err;
      }
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(
          `${wait.name} did not serve on ${options.address} within ${wait.timeoutMs} ms (${(err as Error).message}):\n${show(wait.server.output())}`,
          { cause: err },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

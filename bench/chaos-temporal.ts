import path from 'node:path';
import { startCluster } from '../scripts/cluster/cluster';
import { startDevServer, type DevServer } from '../scripts/dev-server';
import { locateTemporalCli } from '../scripts/temporal-cli';

// The chaos benchmark's Temporal, restarted once in the middle of the run: the CLI's dev server persisted to a file
// in the run's data folder, or with `--cluster` the Temporal server of `npm run cluster` (PostgreSQL, mutual TLS),
// whose server process alone is restarted and whose PostgreSQL data is removed at the end.

export interface ChaosTemporal {
  /** What is restarted, for the figures. */
  name: string;
  /** What points a service process at it: TEMPORAL_ADDRESS and, on the cluster, the namespace and TLS files. */
  env: Record<string, string>;
  /** Stops the server and starts it again on the same port(s) and data; `whileDown` runs between the two. */
  restart(whileDown: () => void): Promise<void>;
  stop(): Promise<void>;
}

export async function startChaosTemporal(options: {
  cluster: boolean;
  dataDir: string;
  /** The dev server's port (the cluster takes free ones of its own). */
  port: number;
}): Promise<ChaosTemporal> {
  if (options.cluster) {
    const cluster = await startCluster({
      dir: path.join(options.dataDir, 'cluster'),
      ephemeral: true,
      say: (line) => console.log(`[cluster] ${line}`),
    });
    return {
      name: 'Temporal server',
      env: cluster.env,
      restart: (whileDown) => cluster.restartServer(whileDown),
      stop: () => cluster.stop(),
    };
  }
  const cli = locateTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
  const dbFile = path.join(options.dataDir, 'temporal.db');
  const start = () => startDevServer({ cli, port: options.port, dbFile });
  let server: DevServer = await start();
  return {
    name: 'dev server',
    env: { TEMPORAL_ADDRESS: server.address },
    async restart(whileDown) {
      // SIGTERM: it flushes its file before it goes.
      await server.stop();
      whileDown();
      server = await start();
    },
    stop: () => server.stop(),
  };
}

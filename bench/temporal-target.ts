import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../config/config';
import { temporalEndpoint, type TemporalEndpoint } from '../config/temporal-settings';
import { startCluster } from '../scripts/cluster/cluster';
import { startDevServer } from '../scripts/dev-server';
import { locateTemporalCli } from '../scripts/temporal-cli';
import { freePort } from '../config/free-port';
import { treeCpuMs } from './cpu';

// The Temporal a bench runs against: a dev server of its own (SQLite, one process), or with `--cluster` the
// production shape of scripts/cluster (the server from its Go module, PostgreSQL, mutual TLS), ephemeral.

export interface BenchTemporal {
  name: string;
  /** The variables that point a service process at it (TEMPORAL_ADDRESS and, on the cluster, TEMPORAL_TLS_*). */
  env: Record<string, string>;
  endpoint: TemporalEndpoint;
  /** CPU milliseconds used so far by the Temporal server, and PostgreSQL on the cluster. */
  cpuMs(): number;
  stop(): Promise<void>;
}

export async function startBenchTemporal(cluster: boolean): Promise<BenchTemporal> {
  if (!cluster) {
    const cli = locateTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
    const server = await startDevServer({ cli, port: await freePort() });
    return {
      name: 'dev server (SQLite)',
      env: { TEMPORAL_ADDRESS: server.address },
      endpoint: temporalEndpoint(loadConfig({ TEMPORAL_ADDRESS: server.address }).temporal),
      cpuMs: () => (server.pid ? treeCpuMs(server.pid) : Number.NaN),
      stop: () => server.stop(),
    };
  }
  const dir = mkdtempSync(path.join(tmpdir(), 'bench-cluster-'));
  const started = await startCluster({ dir, ephemeral: true, say: (line) => console.log(`[cluster] ${line}`) });
  return {
    name: 'cluster (Temporal server on PostgreSQL, mutual TLS)',
    env: started.env,
    // Read as the service reads its settings: the CLI's variables, through envconfig.
    endpoint: temporalEndpoint(loadConfig(started.env).temporal),
    cpuMs: () => started.pids.reduce((sum, pid) => sum + treeCpuMs(pid), 0),
    async stop() {
      await started.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

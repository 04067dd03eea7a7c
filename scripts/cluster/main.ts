import path from 'node:path';
import { loadConfig } from '../../config/config';
import { onStopRequest } from '../../config/lifecycle';
import { fixedPorts, startCluster } from './cluster';
import { briefly } from './temporal-server';

// `npm run cluster`: a Temporal cluster on PostgreSQL with mutual TLS, on this machine, until Ctrl+C. It prints
// the environment that points `npm start` and the temporal CLI at it.

async function run(): Promise<void> {
  // The cluster makes its own connection settings: variables left from another Temporal (a shell that ran this
  // before, a profile) must not stop it. Only the namespace is taken.
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('TEMPORAL_') || name === 'TEMPORAL_NAMESPACE'),
  );
  const config = loadConfig(env);
  const frontend = Number(process.env.CLUSTER_PORT ?? 17233);
  // Membership ports (frontend - 300) are a smallint in the schema; PostgreSQL's (frontend - 1801) must not be privileged.
  if (!Number.isInteger(frontend) || frontend < 3000 || frontend > 32000)
    throw new Error(`CLUSTER_PORT=${process.env.CLUSTER_PORT}: expected a port between 3000 and 32000`);
  const dir = path.resolve(config.DATA_DIR, 'cluster');
  const say = (line: string) => console.log(`[cluster] ${line}`);
  const cluster = await startCluster({
    dir,
    ports: fixedPorts(frontend),
    namespace: config.TEMPORAL_NAMESPACE,
    say,
    onServerLog: (line) => console.log(`[temporal-server] ${briefly([line])}`),
  });
  let stopping = false;
  onStopRequest(() => {
    if (stopping) return;
    stopping = true;
    say('stopping the Temporal server and PostgreSQL');
    cluster.stop().then(
      () => process.exit(0),
      (err) => {
        console.error(err);
        process.exit(1);
      },
    );
  });
  const exports = Object.entries(cluster.env).map(([name, value]) => `export ${name}=${value}`);
  console.log(
    [
      '',
      `Temporal cluster is up: ${cluster.address} (mutual TLS), namespace ${cluster.namespace}, PostgreSQL on 127.0.0.1:${fixedPorts(frontend).postgres}`,
      `  Server metrics:  ${cluster.metricsUrl}`,
      `  State:           ${dir}`,
      '',
      'Point the service and the temporal CLI at it, in another shell:',
      ...exports.map((line) => `  ${line}`),
      '  npm start                      # the worker and the API, no dev server',
      '  temporal workflow list         # the same variables serve the CLI',
      '',
      'Press Ctrl+C to stop.',
    ].join('\n'),
  );
}

run().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});

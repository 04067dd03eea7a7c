import path from 'node:path';
import { loadConfig } from '../config/config';
import { onStopRequest } from '../config/lifecycle';
import { createLogger } from '../config/logger';
import { SimGuestExecutor } from '../providers/sim/sim-guest-executor';
import { parseFaultPlan } from '../providers/sim/faults';
import { SimProvider } from '../providers/sim/sim-provider';
import { FileKeyStore } from '../secrets/file-key-store';
import { keyStoreFile, keyStoreKeyring, payloadCodecs } from '../secrets/service-keyrings';
import { installRuntime } from '../worker/runtime';
import { startWorker } from '../worker/worker';

// worker/main.ts for bench/in-flight.ts with one change: the sim's quotas (100 servers and 300 volumes a region)
// raised for thousands of parked launches. Configuration, key store, payload codec and startWorker are the service's.
async function run(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config, 'worker');
  installRuntime(logger, config.WORKER_METRICS_ADDRESS ? { metricsAddress: config.WORKER_METRICS_ADDRESS } : {});
  const provider = new SimProvider({
    dbFile: path.join(config.DATA_DIR, 'sim-cloud.db'),
    timeScale: config.SIM_TIME_SCALE,
    faults: parseFaultPlan(config.SIM_FAULTS),
    quotas: { servers: 1_000_000, volumes: 1_000_000 },
  });
  const keys = new FileKeyStore(keyStoreFile(config), keyStoreKeyring(config));
  const worker = await startWorker({
    config,
    temporal: config.temporal,
    ...(config.WORKFLOW_BUNDLE ? { workflowBundle: { codePath: config.WORKFLOW_BUNDLE } } : {}),
    provider,
    keys,
    payloadCodecs: payloadCodecs(config),
    guest: new SimGuestExecutor(provider),
  });
  console.log(`worker polling ${config.TEMPORAL_TASK_QUEUE}`);
  onStopRequest(() => void worker.stop());
  await worker.running;
  provider.close();
}

run().catch((err) => {
  console.error(err);
  process.exit(1);
});

import path from 'node:path';
import type { Client } from '@temporalio/client';
import { pino } from 'pino';
import { devApiKey } from '../api/auth/dev-api-key';
import { serveApi } from '../api/serve';
import type { Config } from '../config/config';
import type { ServiceDeps } from '../config/dependencies';
import { distinctFreePorts } from '../config/free-port';
import { createLogger } from '../config/logger';
import { ChaosApis } from './chaos-apis';
import { chaosFaults } from './chaos-launches';
import { ChaosWorkers } from './chaos-worker';

// The service under chaos: its API (in the bench's process, or as replica processes) and its worker processes, each
// registered for the run's end (`stops`, awaited in reverse) and for an abrupt exit (`killsNow`).

export interface Teardown {
  stops: (() => unknown)[];
  killsNow: (() => void)[];
}

export interface ChaosApiTarget {
  urls: string[];
  token: string;
  /** The replica processes; unset when the API runs in the bench's process. */
  apis?: ChaosApis;
}

/** `replicas` API processes from `codeDir`, one after the other; with 0, the API in this process. */
export async function startApis(options: {
  replicas: number;
  dataDir: string;
  codeDir: string;
  env: Record<string, string>;
  config: Config;
  deps: ServiceDeps;
  teardown: Teardown;
}): Promise<ChaosApiTarget> {
  const { dataDir, config, deps, teardown } = options;
  if (!options.replicas) {
    // The API sees the sim without faults: only the workers' provider calls meet them.
    const api = await serveApi({
      config,
      ...deps,
      logger: createLogger(config, 'api', pino.destination(path.join(dataDir, 'api.log'))),
    });
    teardown.stops.push(() => api.close());
    return { urls: [`http://127.0.0.1:${config.PORT}`], token: api.access.devKey!.token };
  }
  // Made before the replicas start, so that they share it rather than race to make it.
  const { token } = devApiKey(dataDir);
  const apis = new ChaosApis({
    codeDir: options.codeDir,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, ...options.env },
    ports: await distinctFreePorts(options.replicas),
    logFile: (replica) => path.join(dataDir, `api-${replica + 1}.log`),
  });
  teardown.killsNow.push(() => apis.killNow());
  teardown.stops.push(() => apis.stop());
  await apis.start();
  return { urls: apis.urls, token, apis };
}

/** One worker process loop per log file; only the first is killed (`maxKills` times), the others stay up. */
export function createWorkers(options: {
  logFiles: string[];
  codeDir: string;
  env: Record<string, string>;
  faultRate: number;
  client: Client;
  config: Config;
  killEveryS: number;
  maxKills: number;
  teardown: Teardown;
}): ChaosWorkers[] {
  return options.logFiles.map((logFile, i) => {
    const worker = new ChaosWorkers({
      codeDir: options.codeDir,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...options.env,
        SIM_FAULTS: JSON.stringify(chaosFaults(options.faultRate)),
      },
      logFile,
      client: options.client,
      namespace: options.config.TEMPORAL_NAMESPACE,
      taskQueue: options.config.TEMPORAL_TASK_QUEUE,
      killEveryMs: options.killEveryS * 1000,
      maxKills: i === 0 ? options.maxKills : 0,
    });
    options.teardown.killsNow.push(() => worker.killNow());
    options.teardown.stops.push(() => worker.stop());
    return worker;
  });
}

import type { TestProject } from 'vitest/node';
import { startDevServer, type DevServer } from '../../scripts/dev-server';
import { locateTemporalCli } from '../../scripts/temporal-cli';
import { freePort } from './free-port';

declare module 'vitest' {
  export interface ProvidedContext {
    temporalAddress: string;
    temporalCliPath: string;
  }
}

let server: DevServer | undefined;

// A real Temporal dev server, in memory on a free port, with the service's search attributes, once per run.
export async function setup(project: TestProject): Promise<void> {
  const cli = locateTemporalCli({
    cliPath: process.env.TEMPORAL_CLI_PATH,
    allowSdkDownload: false,
    say: (message) => console.log(`[temporal-cli] ${message}`),
  });
  if (cli.kind !== 'binary') throw new Error('the tests need a Temporal CLI binary');
  server = await startDevServer({ cli, port: await freePort() });
  project.provide('temporalAddress', server.address);
  project.provide('temporalCliPath', cli.path);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

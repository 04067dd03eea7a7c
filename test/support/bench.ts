import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { inject } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';

/** Runs a benchmark in its smoke mode on the run's Temporal CLI and answers what it printed; a non-zero exit throws. */
export async function runBenchSmoke(bench: string, timeoutMs: number, args: string[] = []): Promise<string> {
  const { stdout } = await promisify(execFile)('node', ['--import', 'tsx', `bench/${bench}.ts`, '--smoke', ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, TEMPORAL_CLI_PATH: inject('temporalCliPath') },
    timeout: timeoutMs,
  }).catch((err: Error & { stdout?: string; stderr?: string }) => {
    // A bench exits non-zero when what it checks fails: show what it printed.
    throw new Error(`${err.message}\n${err.stdout ?? ''}\n${err.stderr ?? ''}`);
  });
  return stdout;
}

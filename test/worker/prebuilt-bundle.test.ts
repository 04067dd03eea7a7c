import { execFile, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { describe, expect, inject, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';
import { launchRequest } from '../support/launches';

// Production workers start from a bundle built ahead of time (the Dockerfile runs `npm run workflows:bundle`).
describe('a worker given WORKFLOW_BUNDLE', () => {
  it('runs launches from the prebuilt bundle without bundling at start-up', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'bundle-'));
    const bundle = path.join(dir, 'workflow-bundle.js');
    const built = await promisify(execFile)('node', ['--import', 'tsx', 'scripts/bundle-workflows.ts', bundle], {
      cwd: PROJECT_ROOT,
      timeout: 60_000,
    });
    expect(built.stdout).toContain(`workflow bundle written to ${bundle}`);
    expect(existsSync(bundle)).toBe(true);

    const taskQueue = `prebuilt-${randomUUID()}`;
    const worker = spawn('node', ['--import', 'tsx', 'worker/main.ts'], {
      cwd: PROJECT_ROOT,
      env: {
        ...process.env,
        TEMPORAL_ADDRESS: inject('temporalAddress'),
        TEMPORAL_TASK_QUEUE: taskQueue,
        DATA_DIR: dir,
        SIM_TIME_SCALE: '0',
        PAYLOAD_CODEC: 'off',
        WORKFLOW_BUNDLE: bundle,
        LOG_LEVEL: 'info',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    worker.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    worker.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise((resolve) => worker.once('exit', resolve));
    let connection: Connection | undefined;
    try {
      connection = await Connection.connect({ address: inject('temporalAddress') });
      const client = new Client({ connection });
      const result = await client.workflow.execute('launchServer', {
        taskQueue,
        workflowId: `launch-${randomUUID()}`,
        args: [launchRequest({ name: 'prebuilt-1' })],
      });
      expect((result as { server: { id: string } }).server.id).toMatch(/^i-/);
      expect(output).toContain('worker polling');
      expect(output).not.toMatch(/Workflow bundle created/i);
    } finally {
      worker.kill('SIGTERM');
      await exited;
      await connection?.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});

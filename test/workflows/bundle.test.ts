import { bundleWorkflowCode } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../../worker/worker';

// Every workflow the worker holds evaluates the bundle's modules in its own context, so what the bundle carries is
// paid per launch in memory and in CPU (bench/in-flight.ts). Request schemas (zod) belong to the API and activities.
// The OpenTelemetry SDK under the tracing interceptors (1.7 MB of it, source map included) is the exception: only a
// traced workflow loads it (workflows/tracing.ts); without it the bundle is under 2 MB.
describe('the workflow bundle', () => {
  it('carries no zod and stays under 4 MB', async () => {
    const silent = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };
    const { code } = await bundleWorkflowCode({
      workflowsPath: WORKFLOWS_PATH,
      workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
      logger: silent,
    });
    expect(code).toContain('launchServer');
    expect(code).not.toMatch(/node_modules\/zod\//);
    expect(code.length).toBeLessThan(4_000_000);
  }, 60_000);
});

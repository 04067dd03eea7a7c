import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOW_INTERCEPTOR_MODULES, WORKFLOWS_PATH } from '../worker/worker';

// `npm run workflows:bundle [-- FILE]`: the workflow bundle built once, ahead of time (the Dockerfile does), so a
// worker given WORKFLOW_BUNDLE=FILE starts without webpack: seconds sooner, and about 80 MiB smaller for its life.
// Without it the worker bundles workflows/ itself at start-up, which keeps development free of a build step.
const file = path.resolve(process.argv[2] ?? 'dist/workflow-bundle.js');
const { code } = await bundleWorkflowCode({
  workflowsPath: WORKFLOWS_PATH,
  workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES,
});
mkdirSync(path.dirname(file), { recursive: true });
writeFileSync(file, code);
console.log(`workflow bundle written to ${file} (${(code.length / 1024 / 1024).toFixed(2)} MB)`);

import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';
import { workflowCodeBuildId } from '../../worker/deployment-version';

// Replicas of one release must agree on the build id without being told, and any change to workflow code must change it.
describe('the build id of the workflow code', () => {
  const copy = mkdtempSync(path.join(tmpdir(), 'build-id-'));
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('is the same for the same code, and changes with any workflow or domain file', () => {
    for (const folder of ['workflows', 'domain'])
      cpSync(path.join(PROJECT_ROOT, folder), path.join(copy, folder), { recursive: true });
    const here = workflowCodeBuildId(undefined, PROJECT_ROOT);
    expect(here).toMatch(/^wf-[0-9a-f]{16}$/);
    expect(workflowCodeBuildId(undefined, copy)).toBe(here);
    writeFileSync(path.join(copy, 'workflows', 'saga.ts'), '// changed\n', { flag: 'a' });
    const changed = workflowCodeBuildId(undefined, copy);
    expect(changed).not.toBe(here);
    writeFileSync(path.join(copy, 'domain', 'new-rule.ts'), 'export const rule = 1;\n');
    expect(workflowCodeBuildId(undefined, copy)).not.toBe(changed);
  });

  it('is the hash of a prebuilt bundle when there is one', () => {
    const bundle = path.join(copy, 'bundle.js');
    writeFileSync(bundle, 'one');
    const first = workflowCodeBuildId(bundle);
    writeFileSync(bundle, 'two');
    expect(workflowCodeBuildId(bundle)).not.toBe(first);
  });
});

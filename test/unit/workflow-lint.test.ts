import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';

// The lint rule is what keeps workflow code replay-safe; prove it fires on the imports it exists to stop.
describe('workflow import rule', () => {
  const eslint = new ESLint();
  // Typed linting needs a real file inside the project; this one lives only for the call.
  const lint = async (code: string) => {
    const file = path.join(PROJECT_ROOT, 'workflows', `lint-probe-${process.pid}.ts`);
    writeFileSync(file, code);
    try {
      const [result] = await eslint.lintFiles([file]);
      expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
      return (result?.messages ?? [])
        .filter((m) => m.ruleId === '@typescript-eslint/no-restricted-imports')
        .map((m) => m.message);
    } finally {
      rmSync(file, { force: true });
    }
  };

  it('bans Node built-ins in workflows', async () => {
    expect(await lint("import { readFileSync } from 'node:fs';\nexport const x = readFileSync;\n")).toEqual([
      expect.stringContaining('no Node built-ins'),
    ]);
    expect(await lint("import crypto from 'crypto';\nexport const y = crypto;\n")).toHaveLength(1);
  });

  it('bans value imports of activities/ and providers/ code but allows their types', async () => {
    expect(
      await lint("import { createActivities } from '../activities';\nexport const z = createActivities;\n"),
    ).toEqual([expect.stringContaining('only types')]);
    expect(
      await lint("import { SimProvider } from '../providers/sim/sim-provider';\nexport const p = SimProvider;\n"),
    ).toHaveLength(1);
    expect(await lint("import type { Activities } from '../activities';\nexport type A = Activities;\n")).toEqual([]);
  });
});

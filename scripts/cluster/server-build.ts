import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recipeHash, runBuildScript } from '../../config/cached-build';
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
  const dir = path.join(root, `${TEMPORAL_SERVER_VERSION}-${recipeHash(BUILD_SCRIPT)}`);
  return { dir, server: path.join(dir, 'bin', 'temporal-server'), sqlTool: path.join(dir, 'bin', 'temporal-sql-tool') };
}

/** Builds the server and schema tool unless they are there; says what it does and how long it took. */
export async function ensureServerBuild(say: (line: string) => void, build = serverBuild()): Promise<ServerBuild> {
  if (existsSync(path.join(build.dir, 'manifest.json'))) {
    say(`Temporal server ${TEMPORAL_SERVER_VERSION}: reusing ${build.dir}`);
    return build;
  }
  say(
    `Temporal server ${TEMPORAL_SERVER_VERSION}: building from its Go module into ${build.dir} (about 10 minutes on 2 cores; once per machine)`,
  );
  await runBuildScript(BUILD_SCRIPT, [TEMPORAL_SERVER_VERSION, build.dir], {
    label: `Temporal server ${TEMPORAL_SERVER_VERSION}`,
    linePrefix: 'temporal-server build: ',
    say,
    hint: '; is Go installed (go version)?',
  });
  return build;
}

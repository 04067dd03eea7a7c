import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { recipeHash, runBuildScript } from '../../config/cached-build';
import { userCacheDir } from '../../config/user-cache';

// The qemu driver's public image, built once by scripts/qemu/build-base-image.sh and kept in a cache outside the
// checkout, so every clone on the machine (and every CI run) reuses it. The folder is named after the recipe: a
// changed script builds a new image beside the old one instead of booting a stale one.

export const BUILD_SCRIPT = fileURLToPath(new URL('../../scripts/qemu/build-base-image.sh', import.meta.url));

export function baseImageDir(cache: string | undefined): string {
  const root = path.resolve(cache ?? userCacheDir('qemu'));
  return path.join(root, `debian-12-${recipeHash(BUILD_SCRIPT)}`);
}

/** Builds the base image unless it is there; says what it does and how long it took. */
export async function ensureBaseImage(dir: string, say: (line: string) => void): Promise<void> {
  if (existsSync(path.join(dir, 'manifest.json'))) {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { builtAt: string };
    say(`qemu base image: reusing ${dir} (built ${manifest.builtAt})`);
    return;
  }
  if (process.getuid?.() !== 0) {
    throw new Error(
      `the qemu base image is not built yet and building it needs root (debootstrap): run "sudo npm run qemu:image" once, then start again`,
    );
  }
  say(
    `qemu base image: building Debian 12 into ${dir} with debootstrap (about 2 to 4 minutes and 1 GB of downloads; once per machine)`,
  );
  await runBuildScript(BUILD_SCRIPT, [dir], { label: 'qemu base image', linePrefix: 'qemu ', say });
}

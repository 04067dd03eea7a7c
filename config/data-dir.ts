import { chmodSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

// DATA_DIR holds what is nobody else's to read: the sim cloud's and Temporal's databases (tags, user data, histories),
// the sealed key store and its key files, the dev API key.

/**
 * Everything the process creates from now on is its owner's alone (directories 0700, files 0600), including what its
 * children create: the dev server's database and its journal files.
 */
export function ownerOnlyFiles(): void {
  process.umask(0o077);
}

/** Creates DATA_DIR as 0700, and closes one an earlier version left open: the folder to 0700, its files to 0600. */
export function privateDataDir(dir: string): string {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  tighten(dir, 0o700);
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file, { throwIfNoEntry: false })?.isFile()) tighten(file, 0o600);
  }
  return dir;
}

/** chmod where this user may; a file someone else owns (a mounted volume's) is left as it is. */
function tighten(file: string, mode: number): void {
  try {
    if ((statSync(file).mode & 0o777) !== mode) chmodSync(file, mode);
  } catch {
    // not ours to change
  }
}

import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

// Heavy builds (the qemu base image, the Temporal server binary) live in the user's cache folder, outside the
// checkout, so every clone on the machine and every CI run reuses them.

/** A user's entry in /etc/passwd: its uid, gid and home; undefined where there is none. */
export function passwdEntry(user: string): { uid: number; gid: number; home: string } | undefined {
  const fields = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((line) => line.startsWith(`${user}:`))
    ?.split(':');
  return fields ? { uid: Number(fields[2]), gid: Number(fields[3]), home: fields[5] ?? '' } : undefined;
}

/** The home of the person behind `sudo`, so that `sudo npm run …` builds where their service looks. */
function invokingHome(): string {
  const user = process.env.SUDO_USER;
  if (user && process.getuid?.() === 0) {
    const home = passwdEntry(user)?.home;
    if (home) return home;
  }
  return os.homedir();
}

/** `$XDG_CACHE_HOME/machine-images/<part>`, or `~/.cache/machine-images/<part>` (the invoking user's under sudo). */
export function userCacheDir(part: string): string {
  const fromSudo = process.env.SUDO_USER && process.getuid?.() === 0;
  const cacheHome = (!fromSudo && process.env.XDG_CACHE_HOME) || path.join(invokingHome(), '.cache');
  return path.join(cacheHome, 'machine-images', part);
}

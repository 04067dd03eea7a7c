import { chmodSync, existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

// This machine has no dm-crypt, so the encrypt script meets a stand-in cryptsetup: "headers" live in a state
// directory, an open mapping is a /dev/mapper symlink to the underlying device. It logs every argv, so tests can
// check that the passphrase never appears on a command line.
const FAKE = `#!/usr/bin/env bash
set -euo pipefail
state=\${FAKE_LUKS_DIR:?}
printf '%s\\n' "$*" >>"$state/argv"
header() { printf '%s/%s' "$state" "$(readlink -f "$1" | tr / _)"; }
args=()
test_only=no
skip=no
for arg in "$@"; do
  if [ "$skip" = yes ]; then skip=no; continue; fi
  case $arg in
    --test-passphrase) test_only=yes ;;
    --type | --pbkdf | --iter-time) skip=yes ;;
    -*) ;;
    *) args+=("$arg") ;;
  esac
done
set -- "\${args[@]}"
case $1 in
  isLuks) [ -f "$(header "$2")" ] ;;
  luksFormat) printf '%s %s\\n' "$(cat /proc/sys/kernel/random/uuid)" "$(sha256sum | cut -d' ' -f1)" >"$(header "$2")" ;;
  open)
    read -r _ digest <"$(header "$2")"
    [ "$(sha256sum | cut -d' ' -f1)" = "$digest" ] || { echo "No key available with this passphrase." >&2; exit 2; }
    if [ "$test_only" = no ]; then mkdir -p /dev/mapper && ln -s "$(readlink -f "$2")" "/dev/mapper/$3"; fi ;;
  status) printf '  device:  %s\\n' "$(readlink "/dev/mapper/$2")" ;;
  luksUUID) read -r uuid _ <"$(header "$2")"; echo "$uuid" ;;
  *) echo "fake cryptsetup: $1 is not faked" >&2; exit 1 ;;
esac
`;

export interface FakeCryptsetup {
  /** Put first on PATH. */
  bin: string;
  /** FAKE_LUKS_DIR: headers and the argv log. */
  state: string;
  /** Removes the /dev/mapper symlinks it made, and /dev/mapper itself when that is left empty. */
  cleanup(mappings: string[]): void;
}

export function installFakeCryptsetup(dir: string): FakeCryptsetup {
  const bin = path.join(dir, 'fake-bin');
  const state = path.join(dir, 'fake-luks');
  mkdirSync(bin, { recursive: true });
  mkdirSync(state, { recursive: true });
  writeFileSync(path.join(bin, 'cryptsetup'), FAKE);
  chmodSync(path.join(bin, 'cryptsetup'), 0o755);
  return {
    bin,
    state,
    cleanup(mappings) {
      for (const name of mappings) rmSync(path.join('/dev/mapper', name), { force: true });
      // A real /dev/mapper always holds `control`; an empty one is ours (test files share it, the last one out removes it).
      try {
        if (existsSync('/dev/mapper') && readdirSync('/dev/mapper').length === 0) rmdirSync('/dev/mapper');
      } catch {
        // another test file's mapping arrived meanwhile; the last one out removes it
      }
    },
  };
}

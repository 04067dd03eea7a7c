import { STEP_EXIT, type GuestStep } from './steps';

// The frame every step script shares: strict mode, stdout kept for the RESULT line alone, exit codes that tell
// "refused" from "not ready", and the few helpers the steps need.

/** Quotes a value for bash: the value can never become code. */
export const shellQuote = (value: string): string => `'${value.replace(/'/g, `'\\''`)}'`;

const HELPERS = {
  waitForDevice: `wait_for_device() {
  local path=$1 waited=0
  while [ ! -b "$path" ]; do
    if [ "$waited" -ge "\${GUEST_DEVICE_WAIT:-60}" ]; then not_ready "device $path did not appear within \${waited}s; is the volume attached?"; fi
    sleep 1
    waited=$((waited + 1))
  done
}`,
  // blkid answers 2 for a blank device; any other failure is ambiguity we refuse to guess about.
  signature: `signature() {
  local out rc=0 kind
  out=$(blkid -p -o export "$1" 2>/dev/null) || rc=$?
  case $rc in
    0) ;;
    2) return 0 ;;
    *) refuse "blkid cannot tell what $1 holds (exit $rc); inspect it by hand" ;;
  esac
  kind=$(printf '%s\\n' "$out" | sed -n 's/^TYPE=//p')
  if [ -z "$kind" ]; then kind=$(printf '%s\\n' "$out" | sed -n 's/^PTTYPE=\\(.*\\)/\\1 partition table/p'); fi
  printf '%s\\n' "$kind"
}`,
  need: `need() {
  command -v "$1" >/dev/null 2>&1 || { echo "$step: $1 is not installed on the guest; use an image that has it" >&2; exit ${STEP_EXIT.missingTool}; }
}`,
};

export function stepScript(step: GuestStep, helpers: (keyof typeof HELPERS)[], body: string): string {
  return `#!/usr/bin/env bash
# machine-images guest step "${step.name}": idempotent, decides from what is on disk.
set -euo pipefail
exec 3>&1 1>&2
# One step at a time on a guest: an attempt retried while an earlier one still runs (its worker was lost, its
# heartbeat timed out) waits for it here, then finds the work on disk and does nothing twice.
exec 9>/run/machine-images-volumes.lock
flock 9
step=${step.name}
note() { echo "$step: $*" >&2; }
refuse() { echo "$step: $*" >&2; exit ${STEP_EXIT.refused}; }
not_ready() { echo "$step: $*" >&2; exit ${STEP_EXIT.notReady}; }
${helpers.map((name) => HELPERS[name]).join('\n')}
${body.trim()}
`;
}

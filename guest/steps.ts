import { layoutNames, volumePlanProblems, type GuestStepName, type VolumePlan } from '../domain/volume-plan';

export { GUEST_STEP_NAMES, guestSteps, type GuestStepName } from '../domain/volume-plan';

// One step of a plan as the guest runs it: its input, its answer, and the checks made before it runs.

export interface GuestStep {
  name: GuestStepName;
  plan: VolumePlan;
  /** The disks' stable by-id paths as the guest sees them, in disk order. */
  devices: string[];
  /** The previous step's output device; derived from the plan when absent. */
  device?: string;
  /** For mount: the filesystem the format step made; a device holding another one is refused. */
  filesystemUuid?: string;
}

/** What a step found or made; the RESULT line of a step script. */
export interface GuestStepResult {
  device: string;
  arrayDevice?: string;
  luksDevice?: string;
  filesystemUuid?: string;
  mountPoint?: string;
}

const RESULT_KEYS = ['device', 'arrayDevice', 'luksDevice', 'filesystemUuid', 'mountPoint'] as const;

/** Exit codes the step scripts use, so an executor can tell "refused" from "try again later". */
export const STEP_EXIT = { refused: 3, notReady: 4, missingTool: 5 } as const;

/** Where each layer of the plan appears in the guest; every name comes from the plan alone, so retries find it. */
export function guestLayout(
  plan: VolumePlan,
  devices: string[],
): { arrayDevice?: string; luksDevice?: string; filesystemDevice: string } {
  const names = layoutNames(plan);
  const arrayDevice = plan.raid === 'none' ? undefined : `/dev/md/${names.array}`;
  const luksDevice = plan.encrypt ? `/dev/mapper/${names.luks}` : undefined;
  const base = arrayDevice ?? devices[0] ?? '';
  return {
    ...(arrayDevice ? { arrayDevice } : {}),
    ...(luksDevice ? { luksDevice } : {}),
    filesystemDevice: luksDevice ?? base,
  };
}

/** The device a step works on: the one the previous step handed over, or where the plan puts it. */
export function stepInputDevice(step: GuestStep): string {
  if (step.device) return step.device;
  const layout = guestLayout(step.plan, step.devices);
  if (step.name === 'encrypt') return layout.arrayDevice ?? step.devices[0] ?? '';
  return layout.filesystemDevice;
}

const DEVICE_PATH = /^\/[A-Za-z0-9._:+@/-]+$/;
const UUID = /^[0-9A-Fa-f-]{8,36}$/;

/** What is wrong with a step before it touches the guest; empty when it may run. */
export function guestStepProblems(step: GuestStep): string[] {
  const problems = volumePlanProblems({ ...step.plan, disks: step.devices.map(() => ({ sizeGb: 1 })) }).map(
    (p) => p.message,
  );
  if (step.devices.length !== step.plan.disks.length) {
    problems.push(
      `the plan has ${step.plan.disks.length} disks but ${step.devices.length} are attached; attach every planned disk first`,
    );
  }
  for (const device of [...step.devices, ...(step.device ? [step.device] : [])]) {
    if (!DEVICE_PATH.test(device))
      problems.push(`device "${device}" is not an absolute device path such as /dev/disk/by-id/virtio-vol-1`);
  }
  if (step.filesystemUuid !== undefined && !UUID.test(step.filesystemUuid))
    problems.push(`filesystem UUID "${step.filesystemUuid}" is not a UUID`);
  if (step.name === 'encrypt' && !step.plan.encrypt)
    problems.push('the plan does not ask for encryption; skip the encrypt step');
  return problems;
}

/** Reads the one `RESULT key=value ...` line a step script prints. */
export function parseStepResult(stdout: string): GuestStepResult {
  const lines = stdout.split('\n').filter((line) => /^RESULT(\s|$)/.test(line));
  if (lines.length !== 1)
    throw new Error(
      `a guest step prints exactly one RESULT line, this one printed ${lines.length}: ${stdout.trim().slice(-300) || '(nothing)'}`,
    );
  const fields: Record<string, string> = {};
  for (const pair of lines[0]!.trim().split(/\s+/).slice(1)) {
    const eq = pair.indexOf('=');
    const key = pair.slice(0, eq);
    if (eq < 1 || !(RESULT_KEYS as readonly string[]).includes(key))
      throw new Error(`unexpected field "${pair}" in the RESULT line`);
    fields[key] = pair.slice(eq + 1);
  }
  const { device, ...rest } = fields;
  if (!device) throw new Error(`the RESULT line names no device: ${lines[0]}`);
  return { device, ...rest };
}

import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { isProviderError, ProviderError } from '../../domain/cloud-errors';
import type { GuestState } from './sim-guest';
import type { SimProvider } from './sim-provider';
import { virtioDevicePath, type GuestExecutor, type GuestProbe, type GuestTarget } from '../../guest/executor';
import { layoutNames } from '../../domain/volume-plan';
import {
  guestLayout,
  guestStepProblems,
  stepInputDevice,
  type GuestStep,
  type GuestStepResult,
} from '../../guest/steps';

// The step scripts' decisions, applied to the simulated guest: reuse what is there, assemble or open what is
// closed, create only on blank devices, refuse to overwrite anything else.

const refuse = (message: string) => new ProviderError('Conflict', message);
const notReady = (message: string) => new ProviderError('Unavailable', message);
const digest = (secret: string) => createHash('sha256').update(secret).digest('hex');
const mdUuid = () => (randomBytes(16).toString('hex').match(/.{8}/g) ?? []).join(':');

interface StepInput {
  state: GuestState;
  step: GuestStep;
  /** Disks the cloud has attached and the guest sees, by stable id. */
  disks: Set<string>;
  secret?: string;
}

/** What a device holds, as blkid would say; '' when blank. */
function signature(state: GuestState, device: string): string {
  if (state.arrays.some((a) => a.members.includes(device))) return 'linux_raid_member';
  if (state.luks.some((l) => l.device === device)) return 'crypto_LUKS';
  return state.filesystems.find((f) => f.device === device)?.type ?? '';
}

function requireVisible({ state, disks }: StepInput, device: string): void {
  const visible =
    disks.has(device) ||
    state.arrays.some((a) => a.active && a.device === device) ||
    state.luks.some((l) => l.open && `/dev/mapper/${l.name}` === device);
  if (!visible)
    throw notReady(
      `device ${device} is not present in the guest yet; attach the volume or run the earlier steps first`,
    );
}

function raid(input: StepInput): GuestStepResult {
  const { state, step } = input;
  for (const disk of step.devices) requireVisible(input, disk);
  const { arrayDevice } = guestLayout(step.plan, step.devices);
  if (!arrayDevice) return { device: step.devices[0]! };
  let array = state.arrays.find((a) => a.device === arrayDevice);
  if (array?.active && array.level !== step.plan.raid)
    throw refuse(
      `${arrayDevice} is already an active ${array.level} array, not ${step.plan.raid}; stop it or choose another mount point`,
    );
  if (array && !array.active) array.active = true; // its superblocks are on the disks: assemble
  if (!array) {
    for (const disk of step.devices) {
      const found = signature(state, disk);
      if (found) throw refuse(`disk ${disk} already holds ${found}; refusing to overwrite it: detach or wipe it`);
    }
    array = { device: arrayDevice, level: step.plan.raid, members: [...step.devices], uuid: mdUuid(), active: true };
    state.arrays.push(array);
  }
  const uuid = array.uuid;
  if (!state.mdadmConf.some((line) => line.includes(`UUID=${uuid}`)))
    state.mdadmConf.push(`ARRAY ${arrayDevice} metadata=1.2 UUID=${uuid}`);
  return { device: arrayDevice, arrayDevice };
}

function encrypt(input: StepInput): GuestStepResult {
  const { state, step, secret } = input;
  if (!secret) throw new ProviderError('InvalidInput', 'the encrypt step needs the LUKS passphrase');
  const device = stepInputDevice(step);
  requireVisible(input, device);
  const { luks: name } = layoutNames(step.plan);
  const keyDigest = digest(secret);
  let luks = state.luks.find((l) => l.device === device);
  if (!luks) {
    const found = signature(state, device);
    if (found) throw refuse(`${device} already holds ${found}, not LUKS; refusing to encrypt over it`);
    luks = { device, uuid: randomUUID(), name, open: false, keyDigest };
    state.luks.push(luks);
  }
  if (luks.keyDigest !== keyDigest) throw refuse(`the given passphrase does not open ${device}`);
  const other = state.luks.find((l) => l.open && l.name === name && l !== luks);
  if (other)
    throw refuse(
      `/dev/mapper/${name} is open on ${other.device}, not on ${device}; close it or choose another mount point`,
    );
  if (luks.open && luks.name !== name) throw refuse(`${device} is already open as /dev/mapper/${luks.name}`);
  luks.open = true;
  const keyPath = `/etc/luks-keys/${name}`;
  state.keyFiles = [...state.keyFiles.filter((k) => k.path !== keyPath), { path: keyPath, mode: '0400', keyDigest }];
  const existing = state.crypttab.find((line) => line.split(/\s+/)[0] === name);
  if (!existing) state.crypttab.push(`${name} UUID=${luks.uuid} ${keyPath} luks`);
  else if (existing.split(/\s+/)[1] !== `UUID=${luks.uuid}`)
    throw refuse(`/etc/crypttab already maps ${name} elsewhere: ${existing}`);
  return { device: `/dev/mapper/${name}`, luksDevice: `/dev/mapper/${name}` };
}

function format(input: StepInput): GuestStepResult {
  const { state, step } = input;
  const device = stepInputDevice(step);
  requireVisible(input, device);
  const type = step.plan.filesystem;
  let fs = state.filesystems.find((f) => f.device === device);
  const found = signature(state, device);
  if (found && found !== type)
    throw refuse(
      `${device} already holds ${found}, not the planned ${type}; refusing to reformat it: wipe it or plan ${found}`,
    );
  if (!fs) {
    fs = { device, type, uuid: randomUUID(), label: layoutNames(step.plan).label };
    state.filesystems.push(fs);
  }
  return { device, filesystemUuid: fs.uuid };
}

function mount(input: StepInput): GuestStepResult {
  const { state, step } = input;
  const device = stepInputDevice(step);
  requireVisible(input, device);
  const { filesystem: type, mountPoint } = step.plan;
  const fs = state.filesystems.find((f) => f.device === device);
  if (!fs || fs.type !== type)
    throw refuse(
      `${device} holds ${fs?.type ?? (signature(state, device) || 'no filesystem')}, not ${type}; run the format step first`,
    );
  if (step.filesystemUuid && fs.uuid !== step.filesystemUuid)
    throw refuse(`${device} holds filesystem ${fs.uuid}, not ${step.filesystemUuid} that the format step made`);
  const source = `UUID=${fs.uuid}`;
  const line = state.fstab.find((l) => l.split(/\s+/)[1] === mountPoint);
  if (!line) state.fstab.push(`${source} ${mountPoint} ${type} defaults,nofail 0 2`);
  else if (line.split(/\s+/)[0] !== source)
    throw refuse(
      `/etc/fstab already mounts ${line.split(/\s+/)[0]} at ${mountPoint}; remove that line or choose another mount point`,
    );
  const mounted = state.mounts.find((m) => m.mountPoint === mountPoint);
  if (!mounted) state.mounts.push({ device, mountPoint, type });
  else if (mounted.device !== device)
    throw refuse(
      `${mountPoint} is mounted from ${mounted.device}, not from ${device}; unmount it or choose another mount point`,
    );
  return { device, filesystemUuid: fs.uuid, mountPoint };
}

const APPLY = { raid, encrypt, format, mount };

/** Prepares volumes in the sim's guests; faults are scripted as guest.raid, guest.encrypt, guest.format, guest.mount, guest.probe, and guest.ssh (every step and probe of one guest). */
export class SimGuestExecutor implements GuestExecutor {
  /** The sim's guests are records, reached without SSH. */
  readonly needsProvisioningKey = false;
  constructor(private readonly sim: SimProvider) {}

  devicePath(volumeId: string): string {
    return virtioDevicePath(volumeId);
  }

  async run(target: GuestTarget, step: GuestStep, secret?: string): Promise<GuestStepResult> {
    const server = await this.sim.getServer(target.region, target.serverId);
    // A guest that does not answer SSH, as a real one might not (sshd down, a firewall in the way).
    this.sim.faults.check('guest.ssh', { serverId: server.id, serverName: server.name });
    this.sim.faults.check(`guest.${step.name}`, { serverId: server.id, serverName: server.name });
    const problems = guestStepProblems(step);
    if (problems.length > 0)
      throw new ProviderError('InvalidInput', `guest step ${step.name} cannot run: ${problems.join('; ')}`);
    if (server.state === 'pending')
      throw notReady(`server ${server.id} is still booting; guest steps run once it is running`);
    if (server.state !== 'running')
      throw refuse(`server ${server.id} is ${server.state}; guest steps need a running server`);
    const disks = new Set(this.sim.guestDevices(target.region, target.serverId).map((d) => d.path));
    return this.sim
      .guest(target.region, target.serverId)
      .update((state) => APPLY[step.name]({ state, step, disks, ...(secret ? { secret } : {}) }));
  }

  async probe(target: GuestTarget, mountPoint?: string): Promise<GuestProbe> {
    try {
      this.sim.faults.check('guest.probe', { serverId: target.serverId });
      const server = await this.sim.getServer(target.region, target.serverId);
      this.sim.faults.check('guest.ssh', { serverId: server.id, serverName: server.name });
      if (server.state !== 'running') return { reachable: false, detail: `server is ${server.state}` };
      // A probe is one SSH session to the guest, not a call to the cloud's API: its only faults are the guest's own.
      const checks = this.sim.guestChecks(target.region, target.serverId);
      if (checks !== 'ok') return { reachable: false, detail: `status checks are ${checks}` };
    } catch (err) {
      if (isProviderError(err) && err.retryable)
        return { reachable: false, detail: `guest unreachable: ${err.message}` };
      throw err;
    }
    if (!mountPoint) return { reachable: true, detail: 'guest reachable' };
    const mounted = this.sim
      .guest(target.region, target.serverId)
      .state()
      .mounts.find((m) => m.mountPoint === mountPoint);
    return mounted
      ? { reachable: true, mounted: true, detail: `${mountPoint} is mounted from ${mounted.device}` }
      : { reachable: true, mounted: false, detail: `nothing is mounted at ${mountPoint}` };
  }
}

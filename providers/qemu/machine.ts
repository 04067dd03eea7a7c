import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ProviderError } from '../../domain/cloud-errors';
import { withQmp } from './qmp';

// One server is one qemu-system-x86_64 process, daemonized so that it outlives the worker and the API that
// started it; its pid file and QMP socket are how any later process finds and controls it.

const run = promisify(execFile);

export interface MachineDisk {
  /** The QMP node name and the virtio serial the guest sees under /dev/disk/by-id/virtio-<serial>. */
  serial: string;
  file: string;
  /** The hot-plug port it sits on, kept across restarts. */
  port: number;
}

export interface MachineSpec {
  serverId: string;
  cpus: number;
  memoryMb: number;
  accel: 'kvm' | 'tcg';
  kernel: string;
  initrd: string;
  rootDisk: string;
  /** Volumes attached while the server was stopped, plugged into hot-plug ports at boot. */
  volumes: MachineDisk[];
  hotplugPorts: number;
  /** Host port (on 127.0.0.1) for each guest TCP port. */
  forwards: Record<number, number>;
  /** fw_cfg blobs the guest's first-boot unit copies into cloud-init's NoCloud seed. */
  seed: Record<string, string>;
  consoleLog: string;
  qmpSocket: string;
  pidFile: string;
  qemuBinary: string;
}

export const hotplugPort = (index: number) => `hp${index}`;

/** QEMU option values split at commas; a comma inside a path is written twice. */
const file = (value: string) => value.replaceAll(',', ',,');

export function machineArgs(spec: MachineSpec): string[] {
  const forwards = Object.entries(spec.forwards).map(([guest, host]) => `hostfwd=tcp:127.0.0.1:${host}-:${guest}`);
  const args = [
    ['-name', `${spec.serverId},process=qemu-${spec.serverId}`],
    ['-machine', 'q35'],
    ['-accel', spec.accel],
    // Nested KVM (a cloud VM running guests) refuses the host's IA32_ARCH_CAPABILITIES MSR: leave it out.
    ['-cpu', spec.accel === 'kvm' ? 'host,-arch-capabilities' : 'max'],
    ['-smp', String(spec.cpus)],
    ['-m', String(spec.memoryMb)],
    ['-nodefaults', '-display', 'none'],
    ['-serial', `file:${file(spec.consoleLog)}`],
    // Direct kernel boot with the root filesystem found by its label: disk order changes as volumes come and go.
    [
      '-kernel',
      file(spec.kernel),
      '-initrd',
      file(spec.initrd),
      '-append',
      'root=LABEL=root ro console=ttyS0 net.ifnames=0',
    ],
    ['-blockdev', `driver=qcow2,node-name=root,file.driver=file,file.filename=${file(spec.rootDisk)}`],
    ['-device', 'virtio-blk-pci,drive=root,serial=root,id=dev-root'],
    ['-netdev', ['user', 'id=net0', ...forwards].join(',')],
    ['-device', 'virtio-net-pci,netdev=net0'],
    ...Object.entries(spec.seed).map(([name, path]) => [
      '-fw_cfg',
      `name=opt/machine-images/${name},file=${file(path)}`,
    ]),
    ...Array.from({ length: spec.hotplugPorts }, (_, i) => [
      '-device',
      `pcie-root-port,id=${hotplugPort(i)},chassis=${i + 1}`,
    ]),
    ...spec.volumes.flatMap((disk) => [
      ['-blockdev', `driver=qcow2,node-name=${disk.serial},file.driver=file,file.filename=${file(disk.file)}`],
      [
        '-device',
        `virtio-blk-pci,drive=${disk.serial},serial=${disk.serial},id=dev-${disk.serial},bus=${hotplugPort(disk.port)}`,
      ],
    ]),
    ['-qmp', `unix:${file(spec.qmpSocket)},server=on,wait=off`],
    ['-pidfile', spec.pidFile, '-daemonize'],
  ];
  return args.flat();
}

/**
 * Starts the machine; returns once QEMU has daemonized (the guest is booting). A KVM that refuses the machine
 * (nested virtualization lacks features) falls back to software emulation rather than failing the launch.
 */
export async function startMachine(spec: MachineSpec): Promise<number> {
  try {
    await run(spec.qemuBinary, machineArgs(spec), { timeout: 30_000 });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim();
    if (spec.accel === 'kvm' && /kvm/i.test(stderr)) return startMachine({ ...spec, accel: 'tcg' });
    throw new ProviderError(
      'Unavailable',
      `qemu did not start server ${spec.serverId}: ${stderr.split('\n').slice(-3).join(' | ')}`,
      { cause: err },
    );
  }
  const pid = machinePid(spec.pidFile, spec.serverId);
  if (!pid)
    throw new ProviderError(
      'Unavailable',
      `qemu started server ${spec.serverId} but left no pid file at ${spec.pidFile}`,
    );
  return pid;
}

/** The machine's pid while its process lives; a reused pid running something else does not count. */
export function machinePid(pidFile: string, serverId: string): number | undefined {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, 'utf8').trim());
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes(serverId) ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Asks the guest to power off (ACPI), as a person pressing the power button would. */
export async function powerDown(qmpSocket: string): Promise<void> {
  await withQmp(qmpSocket, (qmp) => qmp.execute('system_powerdown'));
}

/** Ends the process at once: quit through QMP, or SIGKILL when QMP does not answer. */
export async function killMachine(pidFile: string, qmpSocket: string, serverId: string): Promise<void> {
  const pid = machinePid(pidFile, serverId);
  if (!pid) return;
  await withQmp(qmpSocket, (qmp) => qmp.execute('quit')).catch(() => undefined);
  const gone = async (ms: number) => {
    const deadline = Date.now() + ms;
    while (machinePid(pidFile, serverId) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 100));
    return !machinePid(pidFile, serverId);
  };
  if (await gone(10_000)) return;
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // it ended between the check and the signal
  }
  if (!(await gone(10_000)))
    throw new ProviderError('Unavailable', `qemu process ${pid} of server ${serverId} did not end after SIGKILL`);
}

export async function qemuImg(args: string[], timeoutMs = 120_000): Promise<void> {
  try {
    await run('qemu-img', args, { timeout: timeoutMs });
  } catch (err) {
    const stderr = String((err as { stderr?: string }).stderr ?? (err as Error).message).trim();
    throw new ProviderError('Unavailable', `qemu-img ${args[0]} failed: ${stderr}`, { cause: err });
  }
}

/** Plugs a qcow2 file into a running machine as a virtio disk on a free hot-plug port. */
export async function plugDisk(qmpSocket: string, disk: MachineDisk): Promise<void> {
  await withQmp(qmpSocket, async (qmp) => {
    const nodes = await qmp.execute<{ 'node-name': string }[]>('query-named-block-nodes', { flat: true });
    if (!nodes.some((n) => n['node-name'] === disk.serial)) {
      await qmp.execute('blockdev-add', {
        driver: 'qcow2',
        'node-name': disk.serial,
        file: { driver: 'file', filename: disk.file },
      });
    }
    try {
      await qmp.execute('device_add', {
        driver: 'virtio-blk-pci',
        id: `dev-${disk.serial}`,
        drive: disk.serial,
        serial: disk.serial,
        bus: hotplugPort(disk.port),
      });
    } catch (err) {
      // Already plugged (a retried attach) is done; anything else leaves no half-added node behind.
      if (/Duplicate (device )?ID/i.test((err as Error).message)) return;
      await qmp.execute('blockdev-del', { 'node-name': disk.serial }).catch(() => undefined);
      throw err;
    }
  });
}

/** Asks the guest to let go of a disk and waits until it has, then drops the block node. */
export async function unplugDisk(qmpSocket: string, serial: string, timeoutMs = 60_000): Promise<void> {
  await withQmp(qmpSocket, async (qmp) => {
    const id = `dev-${serial}`;
    try {
      await qmp.execute('device_del', { id });
      await qmp.event('DEVICE_DELETED', (data) => data.device === id, timeoutMs);
    } catch (err) {
      if (!/not found/i.test((err as Error).message)) throw err;
    }
    await qmp.execute('blockdev-del', { 'node-name': serial }).catch((err: Error) => {
      if (!/Failed to find node|Cannot find node/i.test(err.message)) throw err;
    });
  });
}

import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';

// KVM where it works, else TCG. /dev/kvm being there is not enough: nested KVM (a cloud VM running guests)
// can open it and then hang before the guest prints a line, so a short probe boots the kernel and looks for it.

let settled: Promise<'kvm' | 'tcg'> | undefined;

function kvmOpens(): boolean {
  try {
    accessSync('/dev/kvm', constants.R_OK | constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function bootsUnderKvm(qemuBinary: string, kernel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const args = [
      '-accel',
      'kvm',
      '-cpu',
      'host,-arch-capabilities',
      '-m',
      '256',
      '-nodefaults',
      '-display',
      'none',
      '-no-reboot',
      '-serial',
      'stdio',
      '-kernel',
      kernel,
      '-append',
      'console=ttyS0 panic=-1',
    ];
    const child = execFile(qemuBinary, args, { timeout: 10_000, killSignal: 'SIGKILL' }, () => resolve(seen));
    let seen = false;
    child.stdout?.on('data', (chunk: Buffer) => {
      if (!seen && chunk.toString().includes('Linux version')) {
        seen = true;
        child.kill('SIGKILL');
      }
    });
  });
}

/** The accelerator to start guests with, settled once per process. */
export function settleAccel(
  wanted: 'auto' | 'kvm' | 'tcg',
  qemuBinary: string,
  kernel: string,
): Promise<'kvm' | 'tcg'> {
  if (wanted !== 'auto') return Promise.resolve(wanted);
  settled ??= kvmOpens()
    ? bootsUnderKvm(qemuBinary, kernel).then((ok) => (ok ? 'kvm' : 'tcg'))
    : Promise.resolve('tcg');
  return settled;
}

import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { baseImageDir, ensureBaseImage } from '../../providers/qemu/base-image';
import { QEMU_REGION } from '../../providers/qemu/catalog';
import { QemuProvider } from '../../providers/qemu/qemu-provider';

/**
 * The qemu cloud in a folder of its own, on the base image from the machine's cache (built here when missing, as
 * .ci/run does first). stop() terminates whatever a failed test left running, so no guest outlives the file.
 */
export async function startQemuCloud() {
  const imageDir = baseImageDir(process.env.QEMU_IMAGE_CACHE?.trim() || undefined);
  await ensureBaseImage(imageDir, (line) => console.log(line));
  // Short: the QMP socket lives under it and unix socket paths stop at 108 bytes.
  const root = mkdtempSync(path.join(tmpdir(), 'qemu-'));
  const provider = new QemuProvider({ root, baseImageDir: imageDir, accel: 'auto', limits: { guests: 4, memoryMb: 6144 } });
  return {
    provider,
    root,
    region: QEMU_REGION,
    async stop() {
      for (const server of await provider.listServers(QEMU_REGION)) {
        if (server.state !== 'terminated') await provider.terminateServer(QEMU_REGION, server.id);
      }
      provider.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}

/** qemu-system processes running a server of this cloud (their command lines name files under its folder). */
export function qemuProcesses(root: string): { pid: number; serverId: string }[] {
  const found: { pid: number; serverId: string }[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let cmdline: string[];
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    if (!cmdline[0]?.endsWith('qemu-system-x86_64') || !cmdline.some((arg) => arg.includes(root))) continue;
    const name = cmdline[cmdline.indexOf('-name') + 1] ?? '';
    found.push({ pid: Number(entry), serverId: name.split(',')[0]! });
  }
  return found;
}

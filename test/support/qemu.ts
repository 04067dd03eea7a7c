import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
// ssh2 is CommonJS: Node's ESM loader sees only its default export.
import ssh2 from 'ssh2';
import { sshAddress } from '../../guest/ssh-executor';
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
  const provider = new QemuProvider({
    root,
    baseImageDir: imageDir,
    accel: 'auto',
    limits: { guests: 4, memoryMb: 6144 },
  });
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

/** Runs a command in a guest over SSH (address `127.0.0.1:port`, as the qemu driver gives it), as root by default. */
export function sshRun(
  address: string,
  privateKey: string,
  command: string,
  username = 'root',
): Promise<{ code: number; stdout: string; stderr: string }> {
  const { host, port } = sshAddress(address, 22);
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    client.on('error', reject);
    client.on('ready', () => {
      client.exec(command, (err, channel) => {
        if (err) return reject(err);
        let stdout = '';
        let stderr = '';
        let code = -1;
        channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
        channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
        channel.on('exit', (exitCode: number | null) => (code = exitCode ?? -1));
        channel.on('close', () => {
          client.end();
          resolve({ code, stdout, stderr });
        });
      });
    });
    client.connect({ host, port, username, privateKey, readyTimeout: 30_000 });
  });
}

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { layoutNames, type VolumePlan } from '../../domain/volume-plan';
import { SshGuestExecutor } from '../../guest/ssh-executor';
import { ProviderError } from '../../domain/cloud-errors';
import { freePort } from '../support/free-port';
import { installFakeCryptsetup, type FakeCryptsetup } from './fake-cryptsetup';
import { attachLoopDisks, type LoopBench } from './loop-disks';

// The SSH executor against a real sshd on loopback (this machine's openssh-server, a throwaway config and keys)
// running the step scripts as root on loop devices.

const SECRET = 'ssh-passphrase-9c2d4e-never-logged';
let bench: LoopBench | undefined;
let fake: FakeCryptsetup | undefined;
let sshd: ChildProcess | undefined;
let port = 0;
let privateKey = '';
let unavailable: string | undefined;
let madeRunDir = false;
const mappings: string[] = [];

const reachable = (p: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(p, '127.0.0.1', () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
  });

beforeAll(async () => {
  if (!existsSync('/usr/sbin/sshd')) return void (unavailable = 'openssh-server is not installed');
  const attached = attachLoopDisks([
    { name: 'ssh-ext4', sizeMb: 64 },
    { name: 'ssh-vault', sizeMb: 64 },
  ]);
  if (typeof attached === 'string') return void (unavailable = attached);
  bench = attached;
  fake = installFakeCryptsetup(bench.dir);
  const key = (file: string, ...type: string[]) =>
    execFileSync('ssh-keygen', ['-q', '-N', '', ...type, '-f', path.join(bench!.dir, file)]);
  key('host_key', '-t', 'ed25519');
  key('client_key', '-t', 'rsa', '-b', '2048', '-m', 'PEM');
  privateKey = readFileSync(path.join(bench.dir, 'client_key'), 'utf8');
  writeFileSync(path.join(bench.dir, 'authorized_keys'), readFileSync(path.join(bench.dir, 'client_key.pub')));
  port = await freePort();
  const config = path.join(bench.dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${path.join(bench.dir, 'host_key')}`,
      `PidFile ${path.join(bench.dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${path.join(bench.dir, 'authorized_keys')}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'UsePAM no',
      'StrictModes no',
      '',
    ].join('\n'),
  );
  if (!existsSync('/run/sshd')) {
    mkdirSync('/run/sshd', { mode: 0o755 });
    madeRunDir = true;
  }
  sshd = spawn('/usr/sbin/sshd', ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  sshd.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  for (let i = 0; i < 100 && !(await reachable(port)); i++) await new Promise((r) => setTimeout(r, 100));
  if (!(await reachable(port))) throw new Error(`sshd did not start on port ${port}:\n${log}`);
});

afterAll(() => {
  if (sshd?.pid !== undefined) sshd.kill('SIGTERM');
  try {
    bench?.cleanup();
  } finally {
    fake?.cleanup(mappings);
    if (madeRunDir) rmdirSync('/run/sshd');
  }
});

const executor = (scriptEnv: Record<string, string> = {}) =>
  new SshGuestExecutor({
    username: 'root',
    privateKey,
    port,
    connectTimeoutMs: 5_000,
    scriptEnv: { FSTAB: bench!.fstab, GUEST_DEVICE_WAIT: '2', ...scriptEnv },
  });

const planAt = (name: string, encrypt = false): VolumePlan => ({
  disks: [{ sizeGb: 1 }],
  raid: 'none',
  filesystem: 'ext4',
  mountPoint: path.join(bench!.mountRoot, name),
  encrypt,
  blockEncryption: false,
});

describe('ssh guest executor against a real sshd', () => {
  it('answers unreachable with the reason when nothing listens or the server has no address', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const closed = new SshGuestExecutor({
      username: 'root',
      privateKey,
      port: await freePort(),
      connectTimeoutMs: 2_000,
    });
    const target = { region: 'r', serverId: 'i-1', host: '127.0.0.1', volumeIds: [] };
    expect(await closed.probe(target, '/data')).toEqual({
      reachable: false,
      detail: expect.stringMatching(/cannot reach 127\.0\.0\.1:\d+ over SSH: .*ECONNREFUSED/),
    });
    expect(await closed.probe({ ...target, host: undefined })).toEqual({
      reachable: false,
      detail: 'server i-1 has no address to reach over SSH yet',
    });
    expect(closed.devicePath('vol-1')).toBe('/dev/disk/by-id/virtio-vol-1');
  });

  it('runs raid (none), format and mount as root, parses RESULT, probes the mount; a rerun gives the same answers', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const disk = bench!.disks.find((d) => d.name === 'ssh-ext4')!;
    const ssh = executor();
    const target = { region: 'r', serverId: 'i-ssh', host: '127.0.0.1', volumeIds: ['ssh-ext4'] };
    const plan = planAt('ssh');
    expect(await ssh.probe(target, plan.mountPoint)).toEqual({
      reachable: true,
      mounted: false,
      detail: `nothing is mounted at ${plan.mountPoint}`,
    });
    const devices = [disk.byId];
    const run = async () => {
      const raid = await ssh.run(target, { name: 'raid', plan, devices });
      const format = await ssh.run(target, { name: 'format', plan, devices, device: raid.device });
      const mount = await ssh.run(target, {
        name: 'mount',
        plan,
        devices,
        device: format.device,
        filesystemUuid: format.filesystemUuid!,
      });
      return [raid, format, mount];
    };
    const first = await run();
    expect(first[2]).toEqual({
      device: disk.byId,
      filesystemUuid: expect.stringMatching(/^[0-9a-f-]{36}$/),
      mountPoint: plan.mountPoint,
    });
    expect(await ssh.probe(target, plan.mountPoint)).toEqual({
      reachable: true,
      mounted: true,
      detail: `${plan.mountPoint} is mounted from ${disk.loop}`,
    });
    expect(await run()).toEqual(first);
    expect(
      readFileSync(bench!.fstab, 'utf8')
        .split('\n')
        .filter((l) => l.includes(plan.mountPoint)),
    ).toHaveLength(1);
  });

  it("turns a refusal into a non-retryable Conflict carrying the script's own words", async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const disk = bench!.disks.find((d) => d.name === 'ssh-ext4')!;
    const target = { region: 'r', serverId: 'i-ssh', host: '127.0.0.1', volumeIds: ['ssh-ext4'] };
    const error = await executor()
      .run(target, { name: 'format', plan: { ...planAt('ssh'), filesystem: 'xfs' }, devices: [disk.byId] })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({
      code: 'Conflict',
      retryable: false,
      message: expect.stringContaining(
        'with exit 3: format: ' + disk.byId + ' already holds ext4, not the planned xfs',
      ),
    });
  });

  it('hands the passphrase over on stdin only; a wrong one fails without the secret in the error', async (ctx) => {
    if (unavailable) ctx.skip(unavailable);
    const disk = bench!.disks.find((d) => d.name === 'ssh-vault')!;
    const plan = planAt('ssh-vault', true);
    mappings.push(layoutNames(plan).luks);
    const ssh = executor({
      PATH: `${fake!.bin}:/usr/sbin:/usr/bin:/sbin:/bin`,
      FAKE_LUKS_DIR: fake!.state,
      CRYPTTAB: bench!.crypttab,
      LUKS_KEY_DIR: path.join(bench!.dir, 'keys'),
    });
    const target = { region: 'r', serverId: 'i-vault', host: '127.0.0.1', volumeIds: ['ssh-vault'] };
    const step = { name: 'encrypt' as const, plan, devices: [disk.byId] };
    const mapper = `/dev/mapper/${layoutNames(plan).luks}`;
    expect(await ssh.run(target, step, SECRET)).toEqual({ device: mapper, luksDevice: mapper });
    expect(readFileSync(path.join(bench!.dir, 'keys', layoutNames(plan).luks), 'utf8')).toBe(SECRET);
    expect(readFileSync(path.join(fake!.state, 'argv'), 'utf8')).not.toContain(SECRET);
    const wrong = `${SECRET}-wrong`;
    const error = await ssh.run(target, step, wrong).catch((err: unknown) => err as ProviderError);
    expect(error).toMatchObject({
      code: 'Conflict',
      message: expect.stringContaining(`the given passphrase does not open ${disk.byId}`),
    });
    expect((error as Error).message).not.toContain(SECRET);
    await expect(ssh.run(target, step)).rejects.toMatchObject({
      code: 'InvalidInput',
      message: 'the encrypt step needs the LUKS passphrase',
    });
  });
});

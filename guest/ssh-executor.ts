// ssh2 is CommonJS: Node's ESM loader sees only its default export.
import ssh2, { type ConnectConfig } from 'ssh2';
import { ProviderError, type ProviderErrorCode } from '../domain/cloud-errors';
import { virtioDevicePath, type GuestExecutor, type GuestProbe, type GuestTarget } from './executor';
import { renderGuestStep } from './scripts';
import { shellQuote } from './shell';
import { guestStepProblems, parseStepResult, STEP_EXIT, type GuestStep, type GuestStepResult } from './steps';

// Runs the step scripts in a real guest over SSH with the service's provisioning key. The passphrase travels on
// the channel's stdin, never on a command line; errors carry the script's last stderr lines, never the secret.

export interface SshExecutorOptions {
  username: string;
  /** The provisioning key (PEM or OpenSSH format). */
  privateKey: string | Buffer;
  port?: number;
  /** Until the SSH handshake completes. */
  connectTimeoutMs?: number;
  /** Until a step's script ends; a RAID create or mkfs on large disks takes minutes. */
  stepTimeoutMs?: number;
  devicePath?: (volumeId: string) => string;
  /** Checks the guest's host key; without it any key is accepted (the address came from the cloud's own API). */
  hostVerifier?: ConnectConfig['hostVerifier'];
  /** Extra environment for the scripts: FSTAB, CRYPTTAB, MDADM_CONF, LUKS_KEY_DIR, GUEST_DEVICE_WAIT. */
  scriptEnv?: Record<string, string>;
}

interface Finished {
  code: number;
  stdout: string;
  stderr: string;
}

const EXIT_CODES: Record<number, ProviderErrorCode> = {
  [STEP_EXIT.refused]: 'Conflict',
  [STEP_EXIT.notReady]: 'Unavailable',
  [STEP_EXIT.missingTool]: 'Unsupported',
};

/**
 * A server's address, with the port when the cloud forwards one (the qemu driver's `127.0.0.1:40022`); an IPv6
 * address with a port is written `[::1]:40022`, and a bare IPv6 address has no port.
 */
export function sshAddress(address: string, defaultPort: number): { host: string; port: number } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(address);
  if (bracketed) return { host: bracketed[1]!, port: bracketed[2] ? Number(bracketed[2]) : defaultPort };
  const withPort = /^([^:]+):(\d+)$/.exec(address);
  return withPort ? { host: withPort[1]!, port: Number(withPort[2]) } : { host: address, port: defaultPort };
}

const lastLines = (text: string, count: number) => text.trim().split('\n').slice(-count).join(' | ');

export class SshGuestExecutor implements GuestExecutor {
  readonly needsProvisioningKey = true;
  constructor(private readonly options: SshExecutorOptions) {
    for (const key of Object.keys(options.scriptEnv ?? {})) {
      if (!/^[A-Z_][A-Z0-9_]*$/.test(key))
        throw new Error(`script environment name "${key}" is not a shell variable name`);
    }
  }

  devicePath(volumeId: string): string {
    return (this.options.devicePath ?? virtioDevicePath)(volumeId);
  }

  async run(target: GuestTarget, step: GuestStep, secret?: string): Promise<GuestStepResult> {
    const problems = guestStepProblems(step);
    if (problems.length > 0)
      throw new ProviderError('InvalidInput', `guest step ${step.name} cannot run: ${problems.join('; ')}`);
    if (step.name === 'encrypt' && !secret)
      throw new ProviderError('InvalidInput', 'the encrypt step needs the LUKS passphrase');
    const where = `server ${target.serverId} (${target.host ?? 'no address'})`;
    const input = step.name === 'encrypt' ? `${secret}\n` : undefined;
    const done = await this.exec(
      target,
      this.command(renderGuestStep(step)),
      input,
      this.options.stepTimeoutMs ?? 15 * 60_000,
    );
    const stderr = secret ? done.stderr.split(secret).join('***') : done.stderr;
    if (done.code !== 0) {
      const code = EXIT_CODES[done.code] ?? 'Unavailable';
      throw new ProviderError(
        code,
        `guest step ${step.name} failed on ${where} with exit ${done.code}: ${lastLines(stderr, 5) || 'no output'}`,
      );
    }
    try {
      return parseStepResult(done.stdout);
    } catch (err) {
      throw new ProviderError('Unavailable', `guest step ${step.name} on ${where}: ${(err as Error).message}`);
    }
  }

  async probe(target: GuestTarget, mountPoint?: string): Promise<GuestProbe> {
    try {
      const check = mountPoint ? `findmnt -n -o SOURCE -M ${shellQuote(mountPoint)}` : 'true';
      const done = await this.exec(target, check, undefined, this.options.connectTimeoutMs ?? 20_000);
      if (!mountPoint) return { reachable: true, detail: 'guest reachable over SSH' };
      const source = done.stdout.trim().split('\n').at(-1);
      return done.code === 0 && source
        ? { reachable: true, mounted: true, detail: `${mountPoint} is mounted from ${source}` }
        : { reachable: true, mounted: false, detail: `nothing is mounted at ${mountPoint}` };
    } catch (err) {
      return { reachable: false, detail: (err as Error).message };
    }
  }

  /** The script under bash, as root: directly for root, else through passwordless sudo. */
  private command(script: string): string {
    const env = Object.entries(this.options.scriptEnv ?? {}).map(([key, value]) => `${key}=${shellQuote(value)}`);
    const bash = [...(env.length > 0 ? ['env', ...env] : []), 'bash', '-c', shellQuote(script)].join(' ');
    return this.options.username === 'root' ? bash : `sudo -n ${bash}`;
  }

  private exec(target: GuestTarget, command: string, input: string | undefined, timeoutMs: number): Promise<Finished> {
    if (!target.host)
      return Promise.reject(
        new ProviderError('Unavailable', `server ${target.serverId} has no address to reach over SSH yet`),
      );
    const { host, port } = sshAddress(target.host, this.options.port ?? 22);
    return new Promise<Finished>((resolve, reject) => {
      const client = new ssh2.Client();
      let settled = false;
      const settle = (outcome: Finished | Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        client.end();
        if (outcome instanceof Error) reject(outcome);
        else resolve(outcome);
      };
      const timer = setTimeout(
        () =>
          settle(
            new ProviderError(
              'Unavailable',
              `SSH to ${host}:${port} gave no answer within ${Math.round(timeoutMs / 1000)} s`,
            ),
          ),
        timeoutMs,
      );
      client.on('error', (err: Error & { level?: string }) => {
        const why = err.level === 'client-authentication' ? 'the provisioning key was not accepted (yet)' : err.message;
        settle(new ProviderError('Unavailable', `cannot reach ${host}:${port} over SSH: ${why}`, { cause: err }));
      });
      client.on('ready', () => {
        client.exec(command, (err, channel) => {
          if (err)
            return settle(
              new ProviderError('Unavailable', `SSH to ${host}:${port} could not start a command: ${err.message}`, {
                cause: err,
              }),
            );
          let stdout = '';
          let stderr = '';
          let code = -1;
          channel.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
          channel.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
          channel.on('exit', (exitCode: number | null) => (code = exitCode ?? -1));
          channel.on('close', () => settle({ code, stdout, stderr }));
          channel.end(input);
        });
      });
      client.connect({
        host,
        port,
        username: this.options.username,
        privateKey: this.options.privateKey,
        readyTimeout: this.options.connectTimeoutMs ?? 20_000,
        ...(this.options.hostVerifier ? { hostVerifier: this.options.hostVerifier } : {}),
      });
    });
  }
}

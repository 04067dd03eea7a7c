import net from 'node:net';
import { ProviderError } from '../../domain/cloud-errors';

// A small QMP client: one connection per conversation, capabilities negotiated, commands answered in order.
// QEMU's machine protocol is line-delimited JSON; asynchronous events arrive between answers and are kept for
// callers that wait on them (device_del completes with DEVICE_DELETED once the guest lets go of the disk).

interface QmpMessage {
  return?: unknown;
  error?: { class: string; desc: string };
  event?: string;
  data?: Record<string, unknown>;
  QMP?: unknown;
}

export class QmpSession {
  private buffer = '';
  private readonly messages: QmpMessage[] = [];
  private waiter: (() => void) | undefined;
  private closed: Error | undefined;

  private constructor(private readonly socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      let newline: number;
      while ((newline = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, newline).trim();
        this.buffer = this.buffer.slice(newline + 1);
        if (line) this.messages.push(JSON.parse(line) as QmpMessage);
      }
      this.wake();
    });
    const close = (err?: Error) => {
      this.closed ??= err ?? new Error('QMP connection closed');
      this.wake();
    };
    socket.on('error', close);
    socket.on('close', () => close());
  }

  /** Connects and negotiates; fails fast when nothing listens (the machine is not running). */
  static async open(socketPath: string, timeoutMs = 5_000): Promise<QmpSession> {
    const socket = net.createConnection(socketPath);
    const session = new QmpSession(socket);
    await new Promise<void>((resolve, reject) => {
      socket.once('connect', resolve);
      socket.once('error', (err) =>
        reject(new ProviderError('Unavailable', `QMP socket ${socketPath}: ${err.message}`, { cause: err })),
      );
    });
    await session.next((m) => m.QMP !== undefined, timeoutMs, 'the QMP greeting');
    await session.execute('qmp_capabilities', undefined, timeoutMs);
    return session;
  }

  async execute<T = unknown>(command: string, args?: Record<string, unknown>, timeoutMs = 10_000): Promise<T> {
    this.socket.write(`${JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) })}\n`);
    const answer = await this.next(
      (m) => m.return !== undefined || m.error !== undefined,
      timeoutMs,
      `the answer to ${command}`,
    );
    if (answer.error) throw new ProviderError('Conflict', `QEMU refused ${command}: ${answer.error.desc}`);
    return answer.return as T;
  }

  /** Waits for an event, including one that arrived before the call. */
  async event(name: string, match: (data: Record<string, unknown>) => boolean, timeoutMs: number): Promise<void> {
    await this.next((m) => m.event === name && match(m.data ?? {}), timeoutMs, `the ${name} event`);
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }

  private async next(wanted: (m: QmpMessage) => boolean, timeoutMs: number, what: string): Promise<QmpMessage> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const index = this.messages.findIndex(wanted);
      if (index >= 0) return this.messages.splice(index, 1)[0]!;
      if (this.closed)
        throw new ProviderError('Unavailable', `QMP closed while waiting for ${what}: ${this.closed.message}`);
      const left = deadline - Date.now();
      if (left <= 0)
        throw new ProviderError('Unavailable', `QMP gave no ${what} within ${Math.round(timeoutMs / 1000)} s`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiter = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }
}

/** Opens a session, runs the conversation, and always closes. */
export async function withQmp<T>(socketPath: string, talk: (qmp: QmpSession) => Promise<T>): Promise<T> {
  const qmp = await QmpSession.open(socketPath);
  try {
    return await talk(qmp);
  } finally {
    qmp.close();
  }
}

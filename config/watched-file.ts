import { unwatchFile, watchFile } from 'node:fs';
import type { Logger } from './logger';

/** How often a watched file is looked at: a change applies within this and one read (a revoked key within 10 s). */
export const WATCH_INTERVAL_MS = 2_000;

/** What /metrics and the logs say of a watched file. */
export interface WatchedFileStatus {
  /** The variable that names the file: API_KEYS_FILE, BILLING_CODES_FILE. */
  readonly variable: string;
  readonly file: string;
  /** Why the file as it is now on disk is not in force (the last good version is); undefined when it is. */
  readonly problem: string | undefined;
}

// A file read at start, and again when it changes or on reload() (SIGHUP). fs.watchFile polls the path's stat, so a
// file replaced by rename (as editors and configuration tools write) is seen as well as one written in place. A
// version that does not read (not JSON, an invalid entry, half written, gone) is not applied: the last good one stays
// in force, and the error is logged, naming the file and the problem, until a good version replaces it.
export class WatchedFile<T> implements WatchedFileStatus {
  private value: T;
  private failure: string | undefined;
  private readonly changed = () => this.reload('the file changed');

  /** `read` throws on a bad file with a message naming it; at start that stops the process, as before. */
  constructor(
    readonly variable: string,
    readonly file: string,
    private readonly read: (file: string) => T,
    private readonly logger: Logger,
    intervalMs = WATCH_INTERVAL_MS,
  ) {
    this.value = read(file);
    // Not persistent: watching alone never keeps the process running.
    watchFile(file, { interval: intervalMs, persistent: false }, this.changed);
  }

  get current(): T {
    return this.value;
  }

  get problem(): string | undefined {
    return this.failure;
  }

  /** Reads the file again; false when this version is not applied. */
  reload(reason: string): boolean {
    try {
      this.value = this.read(this.file);
    } catch (err) {
      this.failure = (err as Error).message;
      this.logger.error(
        { variable: this.variable, file: this.file, reason },
        `${this.failure}; not applied: the version read before stays in force until the file is fixed`,
      );
      return false;
    }
    this.failure = undefined;
    this.logger.info({ variable: this.variable, file: this.file, reason }, `${this.variable} ${this.file} read again`);
    return true;
  }

  close(): void {
    unwatchFile(this.file, this.changed);
  }
}

import type { LaunchProgress } from '../domain/launch';

/**
 * The last progress each launch reported, by run and history length. A workflow's progress is a function of its
 * history, so while the history has not grown the answer cannot have changed: a launch read again (the console polls
 * every second; thousands may wait for readiness with nothing happening) costs a describe, not a query, which would
 * make a worker replay the launch whenever it is out of its cache (bench/in-flight.ts). Least recently used go first.
 */
export class ProgressMemo {
  private readonly entries = new Map<string, { historyLength: number; progress: LaunchProgress }>();

  constructor(private readonly capacity = 5_000) {}

  get(runId: string, historyLength: number): LaunchProgress | undefined {
    const entry = this.entries.get(runId);
    if (!entry || entry.historyLength !== historyLength) return undefined;
    this.entries.delete(runId);
    this.entries.set(runId, entry);
    return entry.progress;
  }

  set(runId: string, historyLength: number, progress: LaunchProgress): void {
    this.entries.delete(runId);
    this.entries.set(runId, { historyLength, progress });
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}

import { CancellationScope, log } from '@temporalio/workflow';
import { reasonOf } from './failure-reason';

/** An undo that failed for good, and why. */
export interface UndoFailure {
  what: string;
  reason: string;
}

interface Undo {
  what: string;
  run: () => Promise<unknown>;
}

/**
 * Undo as a saga does: each step that makes something registers, before it runs, an undo that finds its work again
 * (by tag), and on failure or cancel the undos run in reverse, each in turn, in a scope no cancel reaches. An undo
 * that fails for good is logged and reported, and the next still runs: the caller raises the original error.
 */
export class Saga {
  private readonly undos: Undo[] = [];

  /** Registers an undo; answers its place, for an undo that must run after it (see `before`). */
  add(what: string, run: () => Promise<unknown>): number {
    this.undos.push({ what, run });
    return this.undos.length - 1;
  }

  /** Registers an undo to run after the one at `place` (undos run in reverse): volumes after their server is gone. */
  before(place: number, what: string, run: () => Promise<unknown>): void {
    this.undos.splice(place, 0, { what, run });
  }

  /** Runs every undo in reverse, whatever fails or is cancelled; answers what could not be undone, and why. */
  compensate(): Promise<UndoFailure[]> {
    return CancellationScope.nonCancellable(async () => {
      const failures: UndoFailure[] = [];
      for (const { what, run } of [...this.undos].reverse()) {
        try {
          await run();
        } catch (err) {
          const reason = reasonOf(err).message;
          failures.push({ what, reason });
          log.error('undo failed', { what, error: reason });
        }
      }
      return failures;
    });
  }
}

/** What a workflow that failed with `err` says when some of its undos failed too; nothing when every undo ran. */
export function undoReport(err: unknown, failures: UndoFailure[]): string | undefined {
  if (!failures.length) return undefined;
  return `failed: ${reasonOf(err).message}; could not ${failures.map((f) => `${f.what} (${f.reason})`).join(', ')}`;
}

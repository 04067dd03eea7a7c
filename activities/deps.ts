import type { GuestExecutor } from '../guest/executor';
import type { CloudProvider } from '../providers/cloud-provider';
import type { KeyStore } from '../secrets/key-store';
import type { ReadyWaits } from './ready-waits';
import type { StatusCoalescer } from './status-coalescer';
import type { WorkflowStatus } from './workflow-status';

/** What activities work with, given once when the worker builds them (createActivities). */
export interface ActivityDeps {
  provider: CloudProvider;
  keys: KeyStore;
  /** Prepares volumes in the guest and probes it; absent when GUEST_EXECUTOR=none. */
  guest?: GuestExecutor;
  /** Whether a resource's owning workflow still runs (for the reaper); absent: only expiry counts. */
  workflows?: WorkflowStatus;
  /** Readiness looks of this worker's launches, read in batches; absent: each look asks the cloud itself. */
  statuses?: StatusCoalescer;
  /** Readiness waits this worker follows and completes asynchronously; absent: readiness is checked once a try. */
  readyWaits?: ReadyWaits;
}

/** The part of the dependencies an activity that only talks to the cloud needs. */
export type CloudDeps = Pick<ActivityDeps, 'provider'>;

// An activity is written as `(deps, ...args)`; the worker registers `(...args)`, its dependencies bound.
type Activity = (deps: ActivityDeps, ...args: never[]) => Promise<unknown>;
type Bound<F> = F extends (deps: ActivityDeps, ...args: infer A) => infer R ? (...args: A) => R : never;
export type BoundActivities<T extends Record<string, Activity>> = { [K in keyof T]: Bound<T[K]> };

/** Binds each activity to the dependencies, so the list of activities is a list of names, not of signatures. */
export function bindDeps<T extends Record<string, Activity>>(deps: ActivityDeps, activities: T): BoundActivities<T> {
  const bound: Record<string, unknown> = {};
  for (const [name, activity] of Object.entries(activities)) {
    bound[name] = (...args: never[]) => activity(deps, ...args);
  }
  return bound as BoundActivities<T>;
}

/** Failed attempts of a workflow task after which a running workflow counts as stuck: one is a hiccup, two a pattern. */
export const STUCK_AFTER_ATTEMPTS = 2;

/** How long a cancelled stuck workflow has to recover (a fixed build deployed) before it is terminated. */
export const DEFAULT_STUCK_CANCEL_GRACE_SECONDS = 60;

/** The workflow that ends one stuck workflow after its cancel's grace period: one per stuck workflow. */
export const endStuckWorkflowId = (workflowId: string): string => `end-stuck-${workflowId}`;

export interface EndStuckInput {
  workflowId: string;
  runId: string;
  graceSeconds: number;
  /** Why it is ended, for its history: the server's reason, cut short. */
  reason: string;
}

/**
 * What became of it: terminated after the grace period, closed of its own accord meanwhile, or recovered (its
 * workflow task succeeds again, as after a fixed build is deployed) and now running its own undo for the cancel.
 */
export type EndStuckOutcome = 'terminated' | 'closed' | 'recovered';

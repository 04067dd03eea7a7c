import type { LaunchStatus } from '../domain/launch';

// A workflow's status as the API says it, from each of the three ways Temporal gives it: the client's name
// (describe), the enum's number (raw list entries) and visibility's word (queries). One table, read three ways.

const TABLE: [name: string, code: number, visibility: string, status: LaunchStatus][] = [
  ['RUNNING', 1, 'Running', 'running'],
  ['COMPLETED', 2, 'Completed', 'completed'],
  ['FAILED', 3, 'Failed', 'failed'],
  ['CANCELLED', 4, 'Canceled', 'cancelled'],
  ['TERMINATED', 5, 'Terminated', 'terminated'],
  // Continued as new: the workflow goes on in its next run.
  ['CONTINUED_AS_NEW', 6, 'ContinuedAsNew', 'running'],
  ['TIMED_OUT', 7, 'TimedOut', 'timed-out'],
];

const BY_NAME = new Map(TABLE.map(([name, , , status]) => [name, status]));
const BY_CODE = new Map(TABLE.map(([, code, , status]) => [code, status]));
const VISIBILITY = new Map(
  TABLE.filter(([name]) => name !== 'CONTINUED_AS_NEW').map(([, , visibility, status]) => [status, visibility]),
);

/** From a description's `status.name`; anything newer than this table reads as running. */
export const statusOfName = (name: string): LaunchStatus => BY_NAME.get(name) ?? 'running';

/** From the raw `WorkflowExecutionStatus` number of a list entry. */
export const statusOfCode = (code: number | null | undefined): LaunchStatus => BY_CODE.get(code ?? 1) ?? 'running';

/** The word a visibility query matches for a status (`ExecutionStatus = 'Canceled'`). */
export const visibilityStatus = (status: LaunchStatus): string => VISIBILITY.get(status)!;

import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { LaunchRequestInput } from '../domain/launch-request';
import { LaunchStep } from '../domain/search-attributes';

// The chaos benchmark's client side: launch requests of several shapes, POSTed as an operator's client would
// (a network error or a 5xx is sent again with the same Idempotency-Key), then watched until their workflow closes.

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface ChaosLaunch {
  index: number;
  idempotencyKey: string;
  request: LaunchRequestInput;
  /** The launch's workflow id, from a 202 (or a 200 when a retried POST finds the launch its first try started). */
  workflowId?: string;
  answer?: 202 | 200;
  /** Why the API refused it for good (a 4xx), or why the bench stopped asking. */
  refused?: string;
  /** Refused with 422 quota_exceeded: its billing code was at its hard quota (an answer the quota run expects). */
  quotaRefused?: boolean;
  /** The workflow's status when the lane saw it close; undefined while open. */
  closed?: string;
  /** For a launch to be terminated from the Temporal side: what became of that. */
  termination?: string;
}

/**
 * Two regions (the sim's quotas are 100 servers and 300 volumes per region); 2 to 4 encrypted volumes in raid1 or
 * raid10; a key pair and a firewall made for some launches, so their cleanup is checked too.
 */
/**
 * Every tenth launch (the sixth of the smoke run) is meant to fail, late: its server's status checks never pass (a scripted fault on this name),
 * so it fails at its readyTimeout after it has made its server, volumes, key pair and firewall, and its undos must
 * then remove them all while the worker is killed and the dev server restarted like the others'.
 */
export const DOOMED_NAME = 'chaos-doomed';
export const isDoomed = (index: number): boolean => index % 10 === 5;

/**
 * Every tenth launch (the third of the smoke run) is terminated from the Temporal side, as the Web UI or the CLI
 * would, once it is in its volumes: a terminated workflow runs no undo, so what it made stays until the reaper's
 * pass after the run. Its guest refuses the encrypt step (a scripted fault on this name), so it cannot finish first.
 */
export const ABANDONED_NAME = 'chaos-abandoned';
export const isAbandoned = (index: number): boolean => index % 10 === 2;

/** The workers' fault plan: `rate` on every provider call, and the doomed and abandoned launches' scripted faults. */
export const chaosFaults = (rate: number) => ({
  rates: { '*': rate },
  scripted: [
    { operation: 'statusChecks', match: { serverName: DOOMED_NAME }, impaired: true },
    { operation: 'guest.encrypt', match: { serverName: ABANDONED_NAME }, code: 'Unavailable' },
  ],
});

/**
 * With billing-code quotas on (the replicas run), every fourth launch is charged to a code with a hard quota: its
 * completed servers keep their places, so once the code is full the rest of its launches are refused with 422.
 */
export const CAPPED_CODE = 'chaos-capped';
export const isCapped = (index: number): boolean => index % 4 === 3;

export function chaosRequest(index: number, options: { quotas?: boolean } = {}): LaunchRequestInput {
  const region = index % 2 === 0 ? 'sim-east-1' : 'sim-west-1';
  const volumes = [
    { count: 4, raid: 'raid10' as const },
    { count: 2, raid: 'raid1' as const },
    { count: 3, raid: 'raid1' as const },
    { count: 2, raid: 'raid1' as const },
    // By pairs: each region gets every shape (2.75 volumes a launch on average, 275 of 300 for 100 launches).
  ][Math.floor(index / 2) % 4]!;
  return {
    imageId: `img-${region.replace(/[^a-z0-9]/g, '')}-0003`,
    name: isDoomed(index) ? DOOMED_NAME : isAbandoned(index) ? ABANDONED_NAME : `chaos-${index}`,
    ...(isDoomed(index) ? { readyTimeout: 30 } : {}),
    region,
    product: { productId: 'm1.small' },
    volumes: { ...volumes, sizeGb: 10, encrypt: true },
    ...(index % 3 !== 2 ? { keypair: { create: {} } } : {}),
    ...(index % 5 < 2
      ? {
          firewall: {
            create: { rules: [{ protocol: 'tcp' as const, fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }] },
          },
        }
      : {}),
    group: 'chaos',
    billingCode: options.quotas && isCapped(index) ? CAPPED_CODE : 'chaos',
  };
}

export interface ApiTarget {
  /** The API replicas: launches alternate between them, and a try sent again goes to the next one. */
  urls: string[];
  token: string;
  /** Retried POSTs, by what the try before met: `network`, or the HTTP status. */
  retries: Map<string, number>;
  /** Launches sent so far: whose turn it is. */
  sent: number;
  /** Answers (accepted or refused) per replica. */
  answered: number[];
}

/** POSTs the launch until the API accepts or refuses it, or the deadline passes. */
export async function postLaunch(api: ApiTarget, launch: ChaosLaunch, deadline: number): Promise<void> {
  const turn = api.sent++;
  for (let attempt = 0; ; attempt++) {
    let why: string;
    const replica = (turn + attempt) % api.urls.length;
    try {
      const response = await fetch(`${api.urls[replica]}/v1/launches`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${api.token}`,
          'content-type': 'application/json',
          'idempotency-key': launch.idempotencyKey,
        },
        body: JSON.stringify(launch.request),
        signal: AbortSignal.timeout(30_000),
      });
      const body = (await response.json().catch(() => ({}))) as {
        workflowId?: string;
        message?: string;
        code?: string;
      };
      if ((response.status === 202 || response.status === 200) && body.workflowId) {
        launch.workflowId = body.workflowId;
        launch.answer = response.status;
        api.answered[replica] = (api.answered[replica] ?? 0) + 1;
        return;
      }
      if (response.status < 500) {
        launch.refused = `${response.status}: ${body.message ?? 'no message'}`;
        launch.quotaRefused = response.status === 422 && body.code === 'quota_exceeded';
        api.answered[replica] = (api.answered[replica] ?? 0) + 1;
        return;
      }
      why = String(response.status);
    } catch {
      why = 'network';
    }
    api.retries.set(why, (api.retries.get(why) ?? 0) + 1);
    if (Date.now() > deadline) {
      launch.refused = `still not accepted at the deadline (last: ${why})`;
      return;
    }
    // A replica that is down (killed): the next one is tried at once.
    if (why !== 'network' || api.urls.length === 1 || attempt > 0) await sleep(Math.min(500 * 2 ** attempt, 5_000));
  }
}

/** Waits until the workflow closes; its status then, or undefined at the deadline. */
export async function waitClosed(client: Client, workflowId: string, deadline: number): Promise<string | undefined> {
  while (Date.now() < deadline) {
    try {
      const { status } = await client.workflow.getHandle(workflowId).describe();
      if (status.name !== 'RUNNING') return status.name;
    } catch (err) {
      // The audit counts it; waiting would not make it appear.
      if (err instanceof WorkflowNotFoundError) return 'MISSING';
      // The dev server is restarting: ask again.
    }
    await sleep(1_000);
  }
  return undefined;
}

/** Terminates the launch's workflow once it is in its volumes, as a person in the Web UI would; says what happened. */
export async function terminateMidVolumes(client: Client, workflowId: string, deadline: number): Promise<string> {
  const handle = client.workflow.getHandle(workflowId);
  while (Date.now() < deadline) {
    try {
      const { status, typedSearchAttributes } = await handle.describe();
      // Terminated: by this call, whose answer a dev server restart lost.
      if (status.name === 'TERMINATED') return 'terminated';
      if (status.name !== 'RUNNING') return `closed ${status.name} before it could be terminated`;
      if (typedSearchAttributes.get(LaunchStep) === 'volumes') {
        await handle.terminate('chaos: terminated from the Temporal side in its volumes');
        return 'terminated';
      }
    } catch (err) {
      if (err instanceof WorkflowNotFoundError) return 'missing';
      // The dev server is restarting: ask again.
    }
    await sleep(500);
  }
  return 'not terminated: the deadline passed';
}

// The API's answers as the console reads them (the OpenAPI document at /docs/json is the full truth).

export interface Image {
  id: string;
  name: string;
  description?: string;
  platform: string;
  architecture: string;
  state: string;
  visibility: string;
  ownerId: string;
  createdAt: string;
  labelColor?: string;
  tags: Record<string, string>;
  stateReason?: string;
  minDiskGb?: number;
}

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface Server {
  id: string;
  name: string;
  state: string;
  imageId: string;
}

/** A server as GET /v1/servers lists it: where it is, and the launch that made it (when this service did). */
export interface ListedServer extends Server {
  region: string;
  productId: string;
  zone: string;
  publicIp?: string;
  privateIp?: string;
  createdAt: string;
  tags: Record<string, string>;
  launchId?: string;
}

export interface Region {
  id: string;
  zones: string[];
}

export type { Product } from '../domain/product';

export interface Firewall {
  id: string;
  name: string;
  description: string;
}

import type { FirewallRule } from '../domain/network';

export type { FirewallRule };

/** A firewall as GET /v1/firewalls lists it: where it is, its inbound rules and its group. */
export interface ListedFirewall extends Firewall {
  region: string;
  rules: FirewallRule[];
  tags: Record<string, string>;
}

export interface Keypair {
  name: string;
  fingerprint: string;
}

/** A key pair as GET /v1/keypairs lists it: where it is, and whose (no group: the account's, shared by every group). */
export interface ListedKeypair extends Keypair {
  region: string;
  group?: string;
}

/** POST /v1/keypairs's answer: a created key pair's private key comes in it, this once. */
export interface CreatedKeypair extends ListedKeypair {
  privateKey?: string;
}

export interface BillingCodeView {
  code: string;
  name: string;
  active: boolean;
  groups: string[];
}

export interface LaunchStep {
  name: string;
  state: string;
  startedAt?: string;
  /** Set once the step has ended; a running step's time so far is counted from startedAt. */
  durationMs?: number;
  detail?: string;
}

export interface LaunchView {
  id: string;
  status: string;
  startedAt: string;
  closedAt?: string;
  webUiUrl?: string;
  request?: {
    name: string;
    imageId: string;
    region: string;
    group: string;
    billingCode: string;
    keypair?: { create: object } | { name: string };
  };
  steps?: LaunchStep[];
  step?: string;
  waitingFor?: string;
  /** Running, but its workflow task keeps failing: the server's reason. */
  stuck?: { reason: string; attempt: number };
  /** The launch fails unless ready by then (readyTimeout after provisioning began). */
  readyBy?: string;
  readySecondsLeft?: number;
  warnings?: string[];
  error?: { code: string; message: string };
  server?: { id: string; name?: string; zone?: string; publicIp?: string; privateIp?: string };
  privateKeyAvailable?: boolean;
  keypairName?: string;
}

export interface LaunchSummary {
  id: string;
  status: string;
  startedAt: string;
  step?: string;
  group?: string;
  billingCode?: string;
  imageId?: string;
  name?: string;
  region?: string;
  serverId?: string;
  closedAt?: string;
}

export { LABEL_COLORS } from '../domain/label-colors';

export interface Family {
  name: string;
  description?: string;
  source: { namePattern: string; ownerId?: string; architecture?: string; platform?: string };
  regions: string[];
  retention: { keepNewest?: number; keepDays?: number; floor: number };
  /** `every` in seconds. */
  schedule: { cron?: string; every?: number; timezone: string; paused: boolean };
  group: string;
  billingCode: string;
  /** The schedule's live state: paused by the definition, by hand, or after a failed run. */
  paused: boolean;
  nextRunAt?: string;
}

export interface FamilyVersion {
  imageId: string;
  region: string;
  version: string;
  state: string;
  createdAt: string;
  sourceImageId?: string;
}

// A refresh's plan and report: the API's own types (type-only, so nothing of domain/ enters the bundle).
import type { RefreshReport } from '../domain/families';
export type { RefreshReport, RegionPlan } from '../domain/families';

export interface FamilyRun {
  workflowId: string;
  runId: string;
  status: string;
  dryRun: boolean;
  startedAt: string;
  closedAt?: string;
  report?: RefreshReport;
  error?: { code: string; message: string };
}

/** A 202 for a long-running operation, followed at statusUrl (GET /v1/operations/:id). */
export interface OperationAccepted {
  id: string;
  workflowId: string;
  statusUrl: string;
}

export interface Operation {
  id: string;
  type: string;
  status: string;
  result?: unknown;
  startedAt: string;
  closedAt?: string;
  error?: { code?: string; message: string };
}

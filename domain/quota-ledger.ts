import type { QuotaOf } from './quota';

// The quota ledger: one long-running workflow per billing code holds the places its servers take, so every API
// replica admits against the same figures (kept in Temporal, the service's one source of truth).

/** The ledger of a billing code. */
export const quotaLedgerId = (code: string): string => `quota-ledger-${code}`;

/** Update, signal and query names, shared by the workflow and the API's client. */
export const LEDGER = { admit: 'admit', release: 'release', places: 'places' } as const;

/** What a ledger carries over a continue-as-new: each place's launch id, with when it was admitted (epoch ms). */
export interface QuotaLedgerInput {
  code: string;
  places?: Record<string, number>;
  /** When the places were last checked against the cloud and the open launches (epoch ms); unset: never. */
  reconciledAt?: number;
  /** Events after which the ledger continues as new (default 2,000; tests set fewer). */
  historyLimit?: number;
}

export interface AdmitRequest {
  /** The workflow id the launch runs (and tags its server) under: one place per launch, however often asked. */
  launchId: string;
  billingCode: QuotaOf;
}

export type Admission =
  { admitted: true; places: number; warning?: string } | { admitted: false; places: number; message: string };

/** What a ledger holds now, for the API and tests. */
export interface LedgerPlaces {
  code: string;
  launchIds: string[];
  reconciledAt?: number;
}

/** The longest launch id a ledger takes (the API's workflow ids are far shorter). */
export const MAX_LAUNCH_ID = 200;

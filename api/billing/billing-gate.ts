import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BillingCodeSchema, codeAllowsGroup, type BillingCode } from '../../domain/billing-codes';
import { ApiError } from '../errors';
import type { QuotaPlaces } from './quota-ledger';

// A launch (or a clone's temporary server) needs an active billing code its group may use, with room in its quota.
// The places are counted by the code's quota ledger in Temporal, which every API replica shares.
export class BillingGate {
  /** The codes in force at each call (BILLING_CODES_FILE is read again when it changes); undefined: not enforced. */
  constructor(
    private readonly currentCodes: () => ReadonlyMap<string, BillingCode> | undefined,
    private readonly places: QuotaPlaces,
  ) {}

  private get codes(): ReadonlyMap<string, BillingCode> | undefined {
    return this.currentCodes();
  }

  get enforced(): boolean {
    return this.codes !== undefined;
  }

  /** The codes a group may use; every configured code for an admin. */
  list(groups: readonly string[] | 'all'): BillingCode[] {
    const all = [...(this.codes?.values() ?? [])];
    return groups === 'all' ? all : all.filter((code) => groups.some((group) => codeAllowsGroup(code, group)));
  }

  /**
   * Checks the code for the group, takes a place in the code's ledger, then runs `start`; warnings go into the launch.
   * `launchId` is the workflow id the server will be tagged with, so it is counted once however it is seen.
   */
  async admit<T>(
    group: string,
    billingCode: string,
    launchId: string,
    start: (warnings: string[]) => Promise<T>,
  ): Promise<T> {
    if (!this.codes) return start([]);
    const code = this.codes.get(billingCode);
    // A code the group may not use is answered as one that does not exist: other groups' codes stay unknown.
    if (!code || !codeAllowsGroup(code, group)) {
      throw new ApiError(
        422,
        'unknown_billing_code',
        `billingCode: "${billingCode}" is not a billing code group "${group}" may use; GET /v1/billing-codes lists the codes your groups may use`,
      );
    }
    if (!code.active)
      throw new ApiError(
        422,
        'billing_code_inactive',
        `billingCode: "${billingCode}" (${code.name}) is not active; choose an active code (GET /v1/billing-codes)`,
      );
    // Without a quota there is nothing to count.
    if (code.quota.soft === undefined && code.quota.hard === undefined) return start([]);
    const admission = await this.places.admit(code, launchId);
    if (!admission.admitted) throw new ApiError(422, 'quota_exceeded', admission.message);
    try {
      return await start(admission.warning ? [admission.warning] : []);
    } catch (err) {
      // Not started: the place goes back now rather than at the ledger's next count.
      await this.places.release(billingCode, launchId).catch(() => undefined);
      throw err;
    }
  }
}

/** Reads BILLING_CODES_FILE (a JSON array of codes); a bad file stops start-up naming the entry and field. */
export function readBillingCodesFile(file: string): Map<string, BillingCode> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(
      `BILLING_CODES_FILE ${file}: ${(err as Error).message}; it must be a JSON array of {code, name, active, groups, quota: {soft, hard}}`,
      { cause: err },
    );
  }
  const parsed = z.array(BillingCodeSchema).safeParse(raw);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`);
    throw new Error(`BILLING_CODES_FILE ${file} is not valid: ${problems.join('; ')}`);
  }
  const codes = new Map<string, BillingCode>();
  for (const code of parsed.data) {
    if (codes.has(code.code)) throw new Error(`BILLING_CODES_FILE ${file}: code "${code.code}" appears twice`);
    codes.set(code.code, code);
  }
  return codes;
}

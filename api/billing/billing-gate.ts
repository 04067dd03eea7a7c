import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { BillingCodeSchema, codeAllowsGroup, quotaVerdict, type BillingCode } from '../../domain/billing-codes';
import { ApiError } from '../errors';

/** The servers (running or on their way) charged to a code, each named by the launch that makes it. */
export type ChargedServers = (code: string) => Promise<Set<string>>;

/** Visibility may lag a start by a moment: what this process admitted counts on its own until then. */
const ADMITTED_MEMORY_MS = 60_000;

// A launch (or a clone's temporary server) needs an active billing code its group may use, with room in its quota.
// Admissions of one code run one at a time in this process, so two launches cannot both take the last place.
export class BillingGate {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly admitted = new Map<string, Map<string, number>>();

  /** The codes in force at each call (BILLING_CODES_FILE is read again when it changes); undefined: not enforced. */
  constructor(
    private readonly currentCodes: () => ReadonlyMap<string, BillingCode> | undefined,
    private readonly charged: ChargedServers,
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
   * Checks the code for the group, then runs `start` while no other admission of the code runs; warnings go into the
   * launch. `launchId` is the workflow id the server will be tagged with, so it is counted once however it is seen.
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
    return this.serially(billingCode, async () => {
      const charged = await this.charged(billingCode);
      for (const id of this.recentlyAdmitted(billingCode)) charged.add(id);
      charged.delete(launchId); // a repeated request for the same launch takes no second place
      const verdict = quotaVerdict(code, charged.size);
      if (!verdict.allowed) throw new ApiError(422, 'quota_exceeded', verdict.message);
      const result = await start(verdict.warning ? [verdict.warning] : []);
      this.admittedFor(billingCode).set(launchId, Date.now() + ADMITTED_MEMORY_MS);
      return result;
    });
  }

  private admittedFor(code: string): Map<string, number> {
    let admitted = this.admitted.get(code);
    if (!admitted) this.admitted.set(code, (admitted = new Map()));
    return admitted;
  }

  private recentlyAdmitted(code: string): string[] {
    const admitted = this.admittedFor(code);
    const now = Date.now();
    for (const [id, until] of admitted) if (until <= now) admitted.delete(id);
    return [...admitted.keys()];
  }

  private serially<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    this.queues.set(key, settled);
    void settled.then(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    return next;
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

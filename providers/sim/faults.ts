import { z } from 'zod';
import { ProviderError, type ProviderErrorCode } from '../../domain/cloud-errors';
import type { RecordStore } from '../local/record-store';

// Faults on demand: a rate per operation (transient Throttled/Unavailable) and scripted faults such as
// "the 2nd attachVolume fails with Unavailable" or "server web-1 never passes status checks".

const ErrorCodeSchema = z.enum([
  'NotFound',
  'InvalidInput',
  'QuotaExceeded',
  'Conflict',
  'Throttled',
  'Unavailable',
  'Unsupported',
  'InvalidCredentials',
]);

export const ScriptedFaultSchema = z
  .object({
    operation: z.string().min(1),
    /** Only the nth call (1-based, counted across processes) of the operation. */
    nth: z.number().int().min(1).optional(),
    match: z
      .object({ imageId: z.string(), serverId: z.string(), serverName: z.string(), volumeId: z.string() })
      .partial()
      .optional(),
    code: ErrorCodeSchema.optional(),
    /** For statusChecks: the server stays impaired instead of passing. */
    impaired: z.boolean().optional(),
    /** For captureImage: the image stays pending for ever. */
    stuck: z.boolean().optional(),
    /** What the error says instead of naming the injected fault (to look like a real cloud's or guest's answer). */
    message: z.string().max(500).optional(),
  })
  .strict();

export const FaultPlanSchema = z
  .object({
    /** Operation name (or "*") → probability in [0, 1] of a transient Throttled or Unavailable. */
    rates: z.record(z.string(), z.number().min(0).max(1)).default({}),
    /** What a rate's faults are: either of the two (the default), or only one, e.g. ["Throttled"] for a busy account. */
    rateCodes: z
      .array(z.enum(['Throttled', 'Unavailable']))
      .min(1)
      .max(2)
      .optional(),
    scripted: z.array(ScriptedFaultSchema).default([]),
  })
  .strict();

export type ScriptedFault = z.infer<typeof ScriptedFaultSchema>;
export type FaultPlan = z.infer<typeof FaultPlanSchema>;
export type FaultContext = Partial<Record<'imageId' | 'serverId' | 'serverName' | 'volumeId', string>>;

/** Parses SIM_FAULTS (JSON); a bad plan is an error naming the variable, not a silently healthy cloud. */
export function parseFaultPlan(json: string | undefined): FaultPlan {
  if (!json) return { rates: {}, scripted: [] };
  try {
    return FaultPlanSchema.parse(JSON.parse(json));
  } catch (err) {
    throw new Error(`SIM_FAULTS is not a valid fault plan (${(err as Error).message}); see providers/README.md`, {
      cause: err,
    });
  }
}

export class FaultInjector {
  private plan: FaultPlan;

  constructor(
    private readonly store: RecordStore,
    plan: FaultPlan,
    private readonly random: () => number = Math.random,
  ) {
    this.plan = structuredClone(plan);
  }

  setRate(operation: string, rate: number): void {
    this.plan.rates[operation] = rate;
  }

  script(fault: ScriptedFault): void {
    this.plan.scripted.push(ScriptedFaultSchema.parse(fault));
  }

  clear(): void {
    this.plan = { rates: {}, scripted: [] };
    this.store.resetCounters();
  }

  /** Throws the fault this call should meet, if any. */
  check(operation: string, context: FaultContext = {}): void {
    const rules = this.plan.scripted.filter((rule) => rule.operation === operation && rule.code);
    const call = rules.some((rule) => rule.nth !== undefined) ? this.store.countCall(operation) : undefined;
    for (const rule of rules) {
      if (rule.nth !== undefined && rule.nth !== call) continue;
      if (!matches(rule, context)) continue;
      throw injected(rule.code!, `${operation}${rule.nth ? ` (call ${rule.nth})` : ''}`, rule.message);
    }
    const rate = this.plan.rates[operation] ?? this.plan.rates['*'] ?? 0;
    if (rate > 0 && this.random() < rate) {
      const codes = this.plan.rateCodes ?? ['Throttled', 'Unavailable'];
      throw injected(codes[Math.floor(this.random() * codes.length)] ?? 'Throttled', operation);
    }
  }

  /** Whether a scripted fault keeps what this operation makes in its transitional state for ever. */
  stuck(operation: string, context: FaultContext): boolean {
    return this.plan.scripted.some((rule) => rule.operation === operation && rule.stuck && matches(rule, context));
  }

  /** Whether a scripted fault keeps this server's status checks impaired. */
  impaired(context: FaultContext): boolean {
    return this.plan.scripted.some(
      (rule) => rule.operation === 'statusChecks' && rule.impaired && matches(rule, context),
    );
  }
}

function matches(rule: ScriptedFault, context: FaultContext): boolean {
  return Object.entries(rule.match ?? {}).every(([key, value]) => context[key as keyof FaultContext] === value);
}

function injected(code: ProviderErrorCode, what: string, message?: string): ProviderError {
  return new ProviderError(
    code,
    message ?? `simulated ${code} fault injected into ${what}`,
    code === 'Throttled' ? { retryAfter: 1 } : {},
  );
}

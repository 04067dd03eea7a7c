import {
  allHandlersFinished,
  condition,
  continueAsNew,
  defineQuery,
  defineSignal,
  defineUpdate,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import { quotaVerdict } from '../domain/quota';
import {
  LEDGER,
  MAX_LAUNCH_ID,
  type AdmitRequest,
  type Admission,
  type LedgerPlaces,
  type QuotaLedgerInput,
} from '../domain/quota-ledger';
import { quickActivity } from './activity-options';
import { autoUpgradeWhenVersioned } from './versioning';
import { showDetails } from './details';

const act = proxyActivities<Activities>(quickActivity);

export const admitUpdate = defineUpdate<Admission, [AdmitRequest]>(LEDGER.admit);
export const releaseSignal = defineSignal<[{ launchId: string }]>(LEDGER.release);
export const placesQuery = defineQuery<LedgerPlaces>(LEDGER.places);

/** A place is kept this long after its admission even if nothing shows it yet: visibility lags a launch's start. */
const ADMISSION_GRACE_MS = 2 * 60_000;
/** While places are held, they are checked against the cloud and the open launches this often. */
const RECONCILE_EVERY_MS = 60_000;
/** A refusal first re-counts, unless the figures are at most this old. */
const FRESH_ENOUGH_MS = 5_000;
const DEFAULT_HISTORY_LIMIT = 2_000;

/**
 * The places a billing code's servers hold, one per launch: a place is taken by an admission (an Update, so the API
 * answers with the figures) and held while the launch runs or its server exists. Admissions run one at a time, so
 * two API replicas cannot both take the last place. Places are checked against the cloud's tags and the open
 * launches: at the ledger's first start (it can be rebuilt if lost), every minute while any are held, and before a
 * refusal; a launch that ended without a server, or whose server was terminated, gives its place back then.
 */
export async function quotaLedger(input: QuotaLedgerInput): Promise<void> {
  const places = new Map(Object.entries(input.places ?? {}));
  let reconciledAt = input.reconciledAt;
  let queue: Promise<unknown> = Promise.resolve();
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = queue.then(work, work);
    queue = next.catch(() => undefined);
    return next;
  };
  const say = () => showDetails(`billing code ${input.code}: ${places.size} place${places.size === 1 ? '' : 's'} held`);

  const reconcile = async () => {
    const recent = [...places].filter(([, admittedAt]) => Date.now() - admittedAt <= ADMISSION_GRACE_MS);
    const found = await act.chargedToBillingCode(
      input.code,
      recent.map(([launchId]) => launchId),
    );
    const charged = new Set(found.charged);
    const closed = new Set(found.closed);
    const now = Date.now();
    for (const [launchId, admittedAt] of places)
      if (!charged.has(launchId) && (closed.has(launchId) || now - admittedAt > ADMISSION_GRACE_MS))
        places.delete(launchId);
    for (const launchId of charged) if (!places.has(launchId)) places.set(launchId, now);
    reconciledAt = now;
    say();
  };

  // A count that failed (the cloud unreachable for minutes) leaves the places as they were; the next one tries again.
  const recountFailed = (err: unknown) =>
    log.warn('the quota ledger could not count its places', { error: String(err) });

  const admit = async ({ launchId, billingCode }: AdmitRequest): Promise<Admission> => {
    if (places.has(launchId)) return { admitted: true, places: places.size - 1 };
    // A ledger that could not count yet counts now: admitting blind could pass the quota. Failing, the update fails.
    if (reconciledAt === undefined) await reconcile();
    let verdict = quotaVerdict(billingCode, places.size);
    if (!verdict.allowed && (reconciledAt === undefined || Date.now() - reconciledAt > FRESH_ENOUGH_MS)) {
      await reconcile();
      verdict = quotaVerdict(billingCode, places.size);
    }
    if (!verdict.allowed) return { admitted: false, places: places.size, message: verdict.message };
    places.set(launchId, Date.now());
    say();
    return { admitted: true, places: places.size - 1, ...(verdict.warning ? { warning: verdict.warning } : {}) };
  };

  // First, before any admission can run: a new ledger counts what is already charged to its code.
  if (reconciledAt === undefined) void serially(reconcile).catch(recountFailed);
  setHandler(admitUpdate, (request) => serially(() => admit(request)), {
    validator: ({ launchId, billingCode }) => {
      if (!launchId || launchId.length > MAX_LAUNCH_ID) throw new Error(`launchId must be 1 to ${MAX_LAUNCH_ID} long`);
      if (billingCode.code !== input.code) throw new Error(`this ledger is billing code ${input.code}'s`);
    },
  });
  setHandler(releaseSignal, ({ launchId }) => {
    places.delete(launchId);
    say();
  });
  setHandler(placesQuery, () => ({
    code: input.code,
    launchIds: [...places.keys()],
    ...(reconciledAt !== undefined ? { reconciledAt } : {}),
  }));
  say();

  const historyLimit = input.historyLimit ?? DEFAULT_HISTORY_LIMIT;
  const continueNow = () => workflowInfo().continueAsNewSuggested || workflowInfo().historyLength >= historyLimit;
  while (!continueNow()) {
    // Idle while nothing is held; otherwise check the places every minute.
    if (places.size === 0) await condition(() => places.size > 0 || continueNow());
    else if (!(await condition(continueNow, RECONCILE_EVERY_MS))) await serially(reconcile).catch(recountFailed);
  }
  await condition(allHandlersFinished);
  await queue;
  await continueAsNew<typeof quotaLedger>({
    code: input.code,
    places: Object.fromEntries(places),
    ...(reconciledAt !== undefined ? { reconciledAt } : {}),
    ...(input.historyLimit !== undefined ? { historyLimit: input.historyLimit } : {}),
  });
}

autoUpgradeWhenVersioned(quotaLedger);

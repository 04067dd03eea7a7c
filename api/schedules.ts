import {
  ScheduleAlreadyRunning,
  ScheduleNotFoundError,
  isGrpcServiceError,
  type Client,
  type ScheduleDescription,
  type ScheduleOptions,
} from '@temporalio/client';
import { FamilySchema, familyScheduleId, type Family, type RefreshInput } from '../domain/families';
import { DEFAULT_REAPER_GRACE_SECONDS, REAPER_SCHEDULE_ID, type ReapInput } from '../domain/reaper';
import { ImageFamily } from '../domain/search-attributes';
import { ApiError, notFound } from './errors';
import { publicText } from '../domain/public-text';

// Families live as Temporal Schedules: the schedule is the definition (its action's argument) and its timer.

const FAMILY_PREFIX = familyScheduleId('');

/** A family as the API shows it: the definition, with the schedule's live paused state and next run. */
/** The note on a family's schedule that its definition pauses; /metrics tells any other pause apart by it. */
export const PAUSED_BY_DEFINITION = 'paused in the family definition';

export type FamilyView = Family & { paused: boolean; nextRunAt?: string };

export type Ensured = 'created' | 'updated';

function familyScheduleOptions(taskQueue: string, family: Family): ScheduleOptions {
  const { cron, every, timezone, paused } = family.schedule;
  const input: RefreshInput = { family };
  return {
    scheduleId: familyScheduleId(family.name),
    spec: {
      ...(cron ? { cronExpressions: [cron] } : {}),
      ...(every ? { intervals: [{ every: `${every}s` as const }] } : {}),
      timezone,
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'refreshImageFamily',
      args: [input],
      // Temporal appends the scheduled time to this id.
      workflowId: `refresh-${family.name}`,
      taskQueue,
      typedSearchAttributes: [{ key: ImageFamily, value: family.name }],
      staticSummary: publicText(`Scheduled refresh of image family ${family.name}`),
    },
    policies: { overlap: 'SKIP', pauseOnFailure: true },
    state: { paused, ...(paused ? { note: PAUSED_BY_DEFINITION } : {}) },
    memo: { family },
  };
}

/** Creates the schedule, or (ScheduleAlreadyRunning) updates it to the same definition; the memo stays as first written. */
async function createOrUpdate(client: Client, options: ScheduleOptions): Promise<Ensured> {
  try {
    await client.schedule.create(options);
    return 'created';
  } catch (err) {
    if (!(err instanceof ScheduleAlreadyRunning)) throw err;
    await replaceSchedule(client, options, true);
    return 'updated';
  }
}

/**
 * Updates the definition. At start-up (`keepState`) the schedule's current state is kept, so one paused by hand or
 * after a failed run stays paused; a PATCH through the API sets the state it asks for.
 */
async function replaceSchedule(client: Client, options: ScheduleOptions, keepState: boolean): Promise<void> {
  const { spec, action, policies, state } = options;
  await client.schedule.getHandle(options.scheduleId).update((previous) => ({
    spec,
    action,
    policies: policies ?? {},
    state: keepState ? previous.state : (state ?? {}),
  }));
}

export const ensureFamilySchedule = (client: Client, taskQueue: string, family: Family): Promise<Ensured> =>
  createOrUpdate(client, familyScheduleOptions(taskQueue, family));

/** Creates a family's schedule; 409 family_exists if it has one. */
export async function createFamilySchedule(client: Client, taskQueue: string, family: Family): Promise<void> {
  try {
    await client.schedule.create(familyScheduleOptions(taskQueue, family));
  } catch (err) {
    if (err instanceof ScheduleAlreadyRunning) {
      throw new ApiError(
        409,
        'family_exists',
        `family "${family.name}" already exists; change it with PATCH /v1/families/${family.name} or choose another name`,
      );
    }
    throw scheduleRefused(err);
  }
}

/** Temporal checks cron expressions and time zones itself: its INVALID_ARGUMENT is the caller's 400, naming the field. */
function scheduleRefused(err: unknown): unknown {
  // The schedule client turns Temporal's INVALID_ARGUMENT into a TypeError carrying its details.
  if (err instanceof TypeError) {
    return new ApiError(
      400,
      'invalid_request',
      `body.schedule: Temporal refused it (${err.message}); check cron and timezone (an IANA name such as Europe/Paris)`,
    );
  }
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (isGrpcServiceError(e) && e.code === 3) {
      return new ApiError(
        400,
        'invalid_request',
        `body.schedule: Temporal refused it (${e.details}); check cron and timezone (an IANA name such as Europe/Paris)`,
      );
    }
  }
  return err;
}

/** Replaces an existing family's definition and schedule; 404 if it has none. */
export async function updateFamilySchedule(client: Client, taskQueue: string, family: Family): Promise<void> {
  await replaceSchedule(client, familyScheduleOptions(taskQueue, family), false).catch((err: unknown) => {
    if (err instanceof ScheduleNotFoundError) throw notFound(`family "${family.name}"`);
    throw scheduleRefused(err);
  });
}

const rethrowNotFound = (name: string) => (err: unknown) => {
  throw err instanceof ScheduleNotFoundError ? notFound(`family "${name}"`) : err;
};

/** The definition is the action's argument (updatable); the memo is only read when the argument is unreadable. */
function familyOf(description: ScheduleDescription): FamilyView | undefined {
  const fromArgs = (description.action.args?.[0] as Partial<RefreshInput> | undefined)?.family;
  const parsed = FamilySchema.safeParse(fromArgs ?? description.memo?.family);
  if (!parsed.success) return undefined;
  const paused = description.state.paused;
  const next = description.info.nextActionTimes[0];
  return {
    ...parsed.data,
    schedule: { ...parsed.data.schedule, paused },
    paused,
    ...(next && !paused ? { nextRunAt: next.toISOString() } : {}),
  };
}

/** The definition alone, as the schedule's action takes it. */
export function definitionOf(view: FamilyView): Family {
  const family: Partial<FamilyView> = { ...view };
  delete family.paused;
  delete family.nextRunAt;
  return family as Family;
}

/** One family with its schedule's live state; 404 if unknown. */
export async function getFamily(client: Client, name: string): Promise<FamilyView> {
  const description = await client.schedule.getHandle(familyScheduleId(name)).describe().catch(rethrowNotFound(name));
  const family = familyOf(description);
  if (!family)
    throw new ApiError(
      500,
      'family_unreadable',
      `the schedule ${description.scheduleId} does not hold a readable family definition; delete it and create the family again`,
    );
  return family;
}

/** Every family, by name. The list's memo is as first created, so each schedule is described for its current definition. */
export async function listFamilies(client: Client): Promise<FamilyView[]> {
  const ids: string[] = [];
  for await (const summary of client.schedule.list()) {
    if (summary.scheduleId.startsWith(FAMILY_PREFIX)) ids.push(summary.scheduleId);
  }
  const described = await Promise.all(
    ids.map((id) =>
      client.schedule
        .getHandle(id)
        .describe()
        .catch((err: unknown) => {
          if (err instanceof ScheduleNotFoundError) return undefined; // deleted since the (eventually consistent) list
          throw err;
        }),
    ),
  );
  return described
    .map((d) => (d ? familyOf(d) : undefined))
    .filter((f): f is FamilyView => f !== undefined)
    .sort((a, b) => a.name.localeCompare(b.name));
}

export async function deleteFamilySchedule(client: Client, name: string): Promise<void> {
  await client.schedule.getHandle(familyScheduleId(name)).delete().catch(rethrowNotFound(name));
}

/** The hourly reaper of expired and orphaned resources in these regions. */
export const ensureReaperSchedule = (
  client: Client,
  taskQueue: string,
  regions: string[],
  graceSeconds = DEFAULT_REAPER_GRACE_SECONDS,
): Promise<Ensured> =>
  createOrUpdate(client, {
    scheduleId: REAPER_SCHEDULE_ID,
    spec: { intervals: [{ every: '1 hour' }] },
    action: {
      type: 'startWorkflow',
      workflowType: 'reapOrphans',
      args: [{ regions, graceSeconds } satisfies ReapInput],
      workflowId: REAPER_SCHEDULE_ID,
      taskQueue,
      staticSummary: publicText(`Reap expired and orphaned resources in ${regions.join(', ')}`),
    },
    policies: { overlap: 'SKIP', pauseOnFailure: true },
    state: { paused: false },
  });

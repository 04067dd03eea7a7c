import type { Family, FamilyVersion, RetirementAction } from './families';

// Which versions of a family stay and which retire, and how far each goes this run. Pure: the workflow decides
// with it, deterministically, and a dry run shows the same decision.

export interface RetentionPlan {
  keep: { imageId: string; reason: string }[];
  retire: { imageId: string; action: RetirementAction; reason: string }[];
}

const DAY_MS = 86_400_000;

/** The next stage for a version that no longer holds a slot: deprecate → disable (where the cloud can) → delete. */
export function nextStage(state: FamilyVersion['state'], canDisable: boolean): RetirementAction | undefined {
  if (state === 'available') return 'deprecate';
  if (state === 'deprecated') return canDisable ? 'disable' : 'delete';
  if (state === 'disabled' || state === 'failed') return 'delete';
  return undefined; // pending (still being built), deleted, unknown: left alone
}

/** `versions` newest first. Failed versions never take a slot; one stage per image per run. */
export function planRetention(
  versions: FamilyVersion[],
  retention: Family['retention'],
  now: number,
  canDisable: boolean,
): RetentionPlan {
  const plan: RetentionPlan = { keep: [], retire: [] };
  const eligible = versions.filter((v) => v.state !== 'failed' && v.state !== 'deleted');
  const slots = new Map<string, string>();
  eligible
    .slice(0, retention.floor)
    .forEach((v, i) => slots.set(v.imageId, `within the floor of ${retention.floor} (newest #${i + 1})`));
  if (retention.keepNewest !== undefined) {
    eligible
      .slice(0, retention.keepNewest)
      .forEach((v, i) =>
        slots.set(v.imageId, slots.get(v.imageId) ?? `among the newest ${retention.keepNewest} (#${i + 1})`),
      );
  }
  if (retention.keepDays !== undefined) {
    for (const v of eligible) {
      if (now - Date.parse(v.createdAt) < retention.keepDays * DAY_MS)
        slots.set(v.imageId, slots.get(v.imageId) ?? `younger than ${retention.keepDays} days`);
    }
  }
  for (const version of versions) {
    if (version.state === 'deleted') continue;
    const kept = slots.get(version.imageId);
    if (kept) {
      plan.keep.push({ imageId: version.imageId, reason: kept });
      continue;
    }
    if (version.state === 'pending') {
      plan.keep.push({ imageId: version.imageId, reason: 'still being built' });
      continue;
    }
    const action = nextStage(version.state, canDisable);
    if (!action) continue;
    const why =
      version.state === 'failed' ? 'a failed build never takes a slot' : `beyond retention; it is ${version.state}`;
    plan.retire.push({ imageId: version.imageId, action, reason: why });
  }
  return plan;
}

/** `YYYY.MM.DD.n`: the nth version built on that day. */
export function nextVersion(versions: FamilyVersion[], now: number): string {
  const day = new Date(now).toISOString().slice(0, 10).replace(/-/g, '.');
  const sameDay = versions
    .filter((v) => v.version.startsWith(`${day}.`))
    .map((v) => Number(v.version.slice(day.length + 1)) || 0);
  return `${day}.${Math.max(0, ...sameDay) + 1}`;
}

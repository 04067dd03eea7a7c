import type { Family } from '../types';

/** "every 1 h", "every 90 min", "cron 30 3 * * * (Europe/Berlin)". */
export function scheduleText({ schedule }: Family): string {
  if (schedule.cron) return `cron ${schedule.cron} (${schedule.timezone})`;
  const every = schedule.every ?? 0;
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3600],
    ['min', 60],
  ] as const) {
    if (every >= seconds && every % seconds === 0) return `every ${every / seconds} ${unit}`;
  }
  return `every ${every} s`;
}

export function sourceText({ source }: Family): string {
  return [source.namePattern, source.architecture, source.platform, source.ownerId && `owner ${source.ownerId}`]
    .filter(Boolean)
    .join(', ');
}

/** Every family, each a link to its versions, runs and refresh. */
export function FamilyList({ families, selected }: { families: Family[]; selected?: string }) {
  if (families.length === 0)
    return <p class="hint">No families yet: an admin defines them with POST /v1/families or FAMILIES_FILE.</p>;
  return (
    <table class="family-list">
      <thead>
        <tr>
          <th scope="col">Family</th>
          <th scope="col">Source</th>
          <th scope="col">Regions</th>
          <th scope="col">Schedule</th>
          <th scope="col">Next run</th>
        </tr>
      </thead>
      <tbody>
        {families.map((family) => (
          <tr key={family.name} class={family.name === selected ? 'selected' : undefined}>
            <td>
              <a
                href={`#/families/${encodeURIComponent(family.name)}`}
                aria-current={family.name === selected ? 'true' : undefined}
              >
                {family.name}
              </a>
            </td>
            <td>{sourceText(family)}</td>
            <td>{family.regions.join(', ')}</td>
            <td>
              {scheduleText(family)}
              {family.paused && <strong class="paused"> paused</strong>}
            </td>
            <td>{family.nextRunAt ? new Date(family.nextRunAt).toLocaleString() : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

import { FILESYSTEMS, MIN_DISKS, RAID_LEVELS, type Filesystem, type RaidLevel } from '../../domain/volume-plan';
import type { SectionProps } from './launch-choices';
import { Field, GroupError } from './launch-field';

// Data volumes: how many disks of what size, joined by which RAID level, with which filesystem, mounted where,
// and whether the guest encrypts them. "No volumes" is a real choice: the server keeps only its root disk.

const RAID_TEXT: Record<RaidLevel, string> = {
  none: `none (${MIN_DISKS.none} disk)`,
  raid0: `raid0 (stripe, ${MIN_DISKS.raid0}+)`,
  raid1: `raid1 (mirror, ${MIN_DISKS.raid1}+)`,
  raid5: `raid5 (parity, ${MIN_DISKS.raid5}+)`,
  raid10: `raid10 (${MIN_DISKS.raid10}+, even)`,
};

export function VolumeFields({ form, update, errors }: SectionProps) {
  return (
    <fieldset>
      <legend>Data volumes</legend>
      <label class="choice">
        <input type="checkbox" checked={form.volumes} onChange={(e) => update({ volumes: e.currentTarget.checked })} />
        Add data volumes
      </label>
      <GroupError path="volumes" errors={errors} />
      {form.volumes && (
        <div class="grid">
          <Field path="volumes.count" label="Disks" errors={errors}>
            {(props) => (
              <input
                {...props}
                type="number"
                min={1}
                max={16}
                value={form.count}
                onInput={(e) => update({ count: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field path="volumes.sizeGb" label="Size of each disk (GB)" errors={errors}>
            {(props) => (
              <input
                {...props}
                type="number"
                min={1}
                max={16384}
                value={form.sizeGb}
                onInput={(e) => update({ sizeGb: e.currentTarget.value })}
              />
            )}
          </Field>
          <Field path="volumes.raid" label="RAID level" errors={errors}>
            {(props) => (
              <select
                {...props}
                value={form.raid}
                onChange={(e) => update({ raid: e.currentTarget.value as RaidLevel })}
              >
                {RAID_LEVELS.map((level) => (
                  <option value={level}>{RAID_TEXT[level]}</option>
                ))}
              </select>
            )}
          </Field>
          <Field path="volumes.filesystem" label="Filesystem" errors={errors}>
            {(props) => (
              <select
                {...props}
                value={form.filesystem}
                onChange={(e) => update({ filesystem: e.currentTarget.value as Filesystem })}
              >
                {FILESYSTEMS.map((fs) => (
                  <option value={fs}>{fs}</option>
                ))}
              </select>
            )}
          </Field>
          <Field path="volumes.mountPoint" label="Mount point" errors={errors}>
            {(props) => (
              <input
                {...props}
                value={form.mountPoint}
                onInput={(e) => update({ mountPoint: e.currentTarget.value })}
              />
            )}
          </Field>
          <div class="field">
            <label class="choice">
              <input
                type="checkbox"
                checked={form.encrypt}
                onChange={(e) => update({ encrypt: e.currentTarget.checked })}
              />
              Encrypt in the guest (LUKS)
            </label>
          </div>
        </div>
      )}
    </fieldset>
  );
}

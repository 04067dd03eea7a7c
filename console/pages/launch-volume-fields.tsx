import { FILESYSTEMS, MIN_DISKS, RAID_LEVELS, type Filesystem, type RaidLevel } from '../../domain/volume-plan';
import type { SectionProps } from './launch-choices';
import { Field, GroupError } from './launch-field';
import { maxDisksOf, WHY_NOT } from './launch-limits';

// Data volumes: how many disks of what size and type, joined by which RAID level, with which filesystem, mounted
// where, and whether the guest or the cloud encrypts them. "No volumes" is a real choice: the server keeps only its
// root disk. What the cloud cannot do is not offered; a muted note says so in its place.

const RAID_TEXT: Record<RaidLevel, string> = {
  none: `none (${MIN_DISKS.none} disk)`,
  raid0: `raid0 (stripe, ${MIN_DISKS.raid0}+)`,
  raid1: `raid1 (mirror, ${MIN_DISKS.raid1}+)`,
  raid5: `raid5 (parity, ${MIN_DISKS.raid5}+)`,
  raid10: `raid10 (${MIN_DISKS.raid10}+, even)`,
};

export function VolumeFields({ form, update, errors, capabilities }: SectionProps) {
  const maxDisks = maxDisksOf(capabilities);
  const types = capabilities?.volumeTypes;
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
              <>
                <input
                  {...props}
                  type="number"
                  min={1}
                  max={maxDisks}
                  value={form.count}
                  onInput={(e) => update({ count: e.currentTarget.value })}
                />
                {capabilities && Number(form.count) >= capabilities.maxVolumesPerServer && !errors['volumes.count'] && (
                  <p class="hint" id="launch-volumes-count-limit">
                    {WHY_NOT.maxVolumes(capabilities.maxVolumesPerServer)}
                  </p>
                )}
              </>
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
          {types?.length ? (
            <Field path="volumes.type" label="Disk type" errors={errors}>
              {(props) => (
                <select
                  {...props}
                  value={form.volumeType}
                  onChange={(e) => update({ volumeType: e.currentTarget.value })}
                >
                  <option value="">{types[0]} (default)</option>
                  {types.slice(1).map((type) => (
                    <option value={type}>{type}</option>
                  ))}
                </select>
              )}
            </Field>
          ) : (
            capabilities && (
              <div class="field">
                <p class="hint" id="launch-volumes-type-none">
                  {WHY_NOT.volumeTypes}
                </p>
              </div>
            )
          )}
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
          <div class="field">
            {capabilities?.blockEncryption === false ? (
              <p class="hint" id="launch-volumes-block-encryption-none">
                {WHY_NOT.blockEncryption}
              </p>
            ) : (
              <label class="choice">
                <input
                  type="checkbox"
                  checked={form.blockEncryption}
                  onChange={(e) => update({ blockEncryption: e.currentTarget.checked })}
                />
                Encrypt in the cloud (block encryption)
              </label>
            )}
          </div>
        </div>
      )}
    </fieldset>
  );
}

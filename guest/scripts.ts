import { layoutNames } from '../domain/volume-plan';
import { shellQuote, stepScript } from './shell';
import { guestLayout, guestStepProblems, stepInputDevice, type GuestStep } from './steps';

// Each step as a bash script that decides from what is on disk (blkid, mdadm --examine, cryptsetup isLuks,
// findmnt), never from marker files, so running it again after any failure finishes the job or changes nothing.
// The /etc paths come from the environment (FSTAB, CRYPTTAB, MDADM_CONF, LUKS_KEY_DIR) with the real defaults.

const MDADM_LEVEL = { raid0: '0', raid1: '1', raid5: '5', raid10: '10' } as const;

function raid(step: GuestStep): string {
  const { arrayDevice } = guestLayout(step.plan, step.devices);
  const disks = step.devices.map(shellQuote).join(' ');
  if (step.plan.raid === 'none' || !arrayDevice) {
    return stepScript(
      step,
      ['waitForDevice'],
      `disk=${shellQuote(step.devices[0] ?? '')}\nwait_for_device "$disk"\necho "RESULT device=$disk" >&3`,
    );
  }
  const level = MDADM_LEVEL[step.plan.raid];
  // Mirrors on blank disks need no initial resync: skipping it keeps thin volumes thin.
  const assumeClean = level === '1' || level === '10' ? ' --assume-clean' : '';
  return stepScript(
    step,
    ['need', 'waitForDevice', 'signature'],
    `
need mdadm
array=${shellQuote(arrayDevice)}
name=${shellQuote(layoutNames(step.plan).array)}
disks=(${disks})
for disk in "\${disks[@]}"; do wait_for_device "$disk"; done
mdadm_conf=\${MDADM_CONF:-}
if [ -z "$mdadm_conf" ]; then
  if [ -e /etc/mdadm/mdadm.conf ]; then mdadm_conf=/etc/mdadm/mdadm.conf
  elif [ -e /etc/mdadm.conf ]; then mdadm_conf=/etc/mdadm.conf
  elif [ -d /etc/mdadm ]; then mdadm_conf=/etc/mdadm/mdadm.conf
  else mdadm_conf=/etc/mdadm.conf
  fi
fi
md_field() {
  { mdadm "$2" --export "$3" 2>/dev/null || true; } | sed -n "s/^$1=//p" | head -n 1
}
if mdadm --detail "$array" >/dev/null 2>&1; then
  found_level=$(md_field MD_LEVEL --detail "$array")
  [ -n "$found_level" ] || refuse "$array exists but reports no RAID level (inactive?); inspect it with mdadm --detail $array"
  [ "$found_level" = raid${level} ] || refuse "$array is already an active $found_level array, not raid${level}; stop it or choose another mount point"
  note "reusing the active array $array"
else
  ours=()
  for disk in "\${disks[@]}"; do
    md_name=$(md_field MD_NAME --examine "$disk")
    if [ -n "$md_name" ] && [ "\${md_name##*:}" = "$name" ]; then
      ours+=("$disk")
      continue
    fi
    found=$(signature "$disk")
    [ -z "$found" ] || refuse "disk $disk already holds $found\${md_name:+ of array $md_name}; refusing to overwrite it: detach or wipe it"
  done
  if [ "\${#ours[@]}" -gt 0 ]; then
    note "assembling $array from the \${#ours[@]} of \${#disks[@]} disks that carry its superblock"
    mdadm --assemble --run "$array" "\${ours[@]}" </dev/null
  else
    note "creating raid${level} array $array on \${#disks[@]} blank disks"
    mdadm --create "$array" --name="$name" --level=${level} --raid-devices=\${#disks[@]} --metadata=1.2 --run${assumeClean} "\${disks[@]}" </dev/null
  fi
fi
if command -v udevadm >/dev/null 2>&1; then udevadm settle || true; fi
wait_for_device "$array"
uuid=$(md_field MD_UUID --detail "$array")
[ -n "$uuid" ] || refuse "mdadm reports no UUID for $array"
if ! grep -qs "UUID=$uuid" "$mdadm_conf"; then
  mkdir -p "$(dirname "$mdadm_conf")"
  echo "ARRAY $array metadata=1.2 UUID=$uuid" >>"$mdadm_conf"
  note "recorded $array in $mdadm_conf"
fi
echo "RESULT device=$array arrayDevice=$array" >&3`,
  );
}

function encrypt(step: GuestStep): string {
  const { luks } = layoutNames(step.plan);
  // PBKDF2 instead of argon2: the passphrase is machine-made and long, and argon2's memory cost breaks small guests.
  return stepScript(
    step,
    ['need', 'waitForDevice', 'signature'],
    `
need cryptsetup
device=${shellQuote(stepInputDevice(step))}
name=${shellQuote(luks)}
mapper=/dev/mapper/$name
crypttab=\${CRYPTTAB:-/etc/crypttab}
key_dir=\${LUKS_KEY_DIR:-/etc/luks-keys}
key_file=$key_dir/$name
passphrase=
IFS= read -r passphrase || true
[ -n "$passphrase" ] || refuse "no passphrase arrived on standard input"
key() { printf '%s' "$passphrase"; }
wait_for_device "$device"
formatted=no
if ! cryptsetup isLuks "$device"; then
  found=$(signature "$device")
  [ -z "$found" ] || refuse "$device already holds $found, not LUKS; refusing to encrypt over it"
  note "formatting $device as LUKS2"
  key | cryptsetup luksFormat --type luks2 --batch-mode --pbkdf pbkdf2 --iter-time 1000 --key-file=- "$device"
  formatted=yes
fi
if [ ! -e "$mapper" ]; then
  note "opening $device as $mapper"
  key | cryptsetup open --type luks --key-file=- "$device" "$name" || refuse "cryptsetup cannot open $device with the given passphrase"
else
  backing=$(cryptsetup status "$name" | sed -n 's/^ *device: *//p')
  [ "$(readlink -f "$backing")" = "$(readlink -f "$device")" ] || refuse "$mapper is open on $backing, not on $device; close it or choose another mount point"
  if [ "$formatted" = no ]; then
    key | cryptsetup open --test-passphrase --key-file=- "$device" || refuse "the given passphrase does not open $device"
  fi
fi
if [ ! -f "$key_file" ] || [ "$(cat "$key_file")" != "$passphrase" ]; then
  (umask 077 && mkdir -p "$key_dir" && key >"$key_file.new")
  mv -f "$key_file.new" "$key_file"
fi
chmod 0700 "$key_dir"
chmod 0400 "$key_file"
luks_uuid=$(cryptsetup luksUUID "$device")
existing=$(awk -v name="$name" '$1 == name { print $2; exit }' "$crypttab" 2>/dev/null || true)
if [ -z "$existing" ]; then
  echo "$name UUID=$luks_uuid $key_file luks,nofail" >>"$crypttab"
  note "added $name to $crypttab"
elif [ "$existing" != "UUID=$luks_uuid" ]; then
  refuse "$crypttab already maps $name to $existing; remove that line or choose another mount point"
fi
echo "RESULT device=$mapper luksDevice=$mapper" >&3`,
  );
}

function format(step: GuestStep): string {
  const fs = step.plan.filesystem;
  // No discard pass: on cloud volumes it only costs time.
  const mkfs =
    fs === 'ext4'
      ? 'mkfs.ext4 -q -E nodiscard -L "$label" "$device" </dev/null'
      : 'mkfs.xfs -q -K -L "$label" "$device" </dev/null';
  return stepScript(
    step,
    ['need', 'waitForDevice', 'signature'],
    `
device=${shellQuote(stepInputDevice(step))}
fs=${fs}
label=${shellQuote(layoutNames(step.plan).label)}
wait_for_device "$device"
found=$(signature "$device")
if [ -z "$found" ]; then
  need mkfs.${fs}
  note "making $fs on $device"
  ${mkfs}
elif [ "$found" != "$fs" ]; then
  refuse "$device already holds $found, not the planned $fs; refusing to reformat it: wipe it or plan $found"
else
  note "$device already holds $fs"
fi
uuid=$(blkid -p -o value -s UUID "$device" || true)
[ -n "$uuid" ] || refuse "blkid finds no filesystem UUID on $device"
echo "RESULT device=$device filesystemUuid=$uuid" >&3`,
  );
}

function mount(step: GuestStep): string {
  return stepScript(
    step,
    ['waitForDevice', 'signature'],
    `
device=${shellQuote(stepInputDevice(step))}
fs=${step.plan.filesystem}
mount_point=${shellQuote(step.plan.mountPoint)}
expected_uuid=${shellQuote(step.filesystemUuid ?? '')}
fstab=\${FSTAB:-/etc/fstab}
wait_for_device "$device"
found=$(signature "$device")
[ "$found" = "$fs" ] || refuse "$device holds \${found:-no filesystem}, not $fs; run the format step first"
uuid=$(blkid -p -o value -s UUID "$device")
[ -z "$expected_uuid" ] || [ "$uuid" = "$expected_uuid" ] || refuse "$device holds filesystem $uuid, not $expected_uuid that the format step made"
mkdir -p "$mount_point"
existing=$(awk -v mp="$mount_point" '$1 !~ /^#/ && $2 == mp { print $1; exit }' "$fstab" 2>/dev/null || true)
if [ -z "$existing" ]; then
  echo "UUID=$uuid $mount_point $fs defaults,nofail 0 2" >>"$fstab"
  note "added $mount_point to $fstab"
elif [ "$existing" != "UUID=$uuid" ]; then
  refuse "$fstab already mounts $existing at $mount_point; remove that line or choose another mount point"
fi
if ! mountpoint -q "$mount_point"; then
  note "mounting $device at $mount_point"
  mount -t "$fs" "$device" "$mount_point"
fi
mounted_from=$(findmnt -n -o SOURCE -M "$mount_point" | tail -n 1 || true)
mounted_uuid=$(blkid -p -o value -s UUID "$mounted_from" 2>/dev/null || true)
[ "$mounted_uuid" = "$uuid" ] || refuse "$mount_point is mounted from \${mounted_from:-nothing} (\${mounted_uuid:-no UUID}), not from $device ($uuid); unmount it or choose another mount point"
echo "RESULT device=$device filesystemUuid=$uuid mountPoint=$mount_point" >&3`,
  );
}

const RENDER = { raid, encrypt, format, mount };

/** The step as a bash script; throws when the step is invalid (see guestStepProblems). */
export function renderGuestStep(step: GuestStep): string {
  const problems = guestStepProblems(step);
  if (problems.length > 0) throw new Error(`guest step ${step.name} cannot run: ${problems.join('; ')}`);
  return RENDER[step.name](step);
}

#!/usr/bin/env bash
# Builds the qemu driver's public base image: a minimal Debian 12 root filesystem made with debootstrap from
# Debian's packages, as one ext4 filesystem labelled "root" (no partition table, so the kernel is booted directly
# with root=LABEL=root whatever order the disks come in), plus the kernel and initrd beside it.
#
#   build-base-image.sh OUT_DIR
#
# Writes OUT_DIR/{disk.qcow2,vmlinuz,initrd.img,manifest.json} through a temporary folder and a rename, so a
# half-built image is never taken for a built one. Needs root, debootstrap, mkfs.ext4 and qemu-img.
# DEBIAN_MIRROR overrides the mirror; by default it is the one apt uses on this machine.
set -euo pipefail

out=${1:?usage: build-base-image.sh OUT_DIR}
suite=bookworm
# What a server needs: systemd and udev to boot; cloud-init to take its key pairs and user data (NoCloud seed,
# delivered through fw_cfg); sshd for the guest executor; and the tools the volume steps run.
# debootstrap lays the base; apt inside the new root installs the rest, in the order their dependencies need
# (debootstrap's own --include fails to configure packages as deep as cloud-init's).
base_packages=systemd,systemd-sysv,udev,dbus,kmod,iproute2
packages="linux-image-amd64 initramfs-tools openssh-server cloud-init sudo mdadm cryptsetup cryptsetup-bin e2fsprogs xfsprogs util-linux procps ca-certificates"
disk_size=${BASE_IMAGE_DISK_SIZE:-4G}

[ "$(id -u)" = 0 ] || { echo "build-base-image.sh: debootstrap needs root" >&2; exit 1; }
for tool in debootstrap mkfs.ext4 qemu-img; do
  command -v "$tool" >/dev/null || { echo "build-base-image.sh: $tool is missing; install debootstrap, e2fsprogs and qemu-utils" >&2; exit 1; }
done

mirror=${DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  # The first Debian archive URI apt is configured with (deb822 or one-line format).
  mirror=$(sed -n 's/^URIs: *\([^ ]*\/debian\)\/\?$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n 1)
  [ -n "$mirror" ] || mirror=$(sed -n 's/^deb \(\[[^]]*\] \)\?\([^ ]*\/debian\)\/\? .*/\2/p' /etc/apt/sources.list 2>/dev/null | head -n 1)
  [ -n "$mirror" ] || { echo "build-base-image.sh: no Debian mirror in apt's sources; set DEBIAN_MIRROR" >&2; exit 1; }
fi

parent=$(dirname "$out")
mkdir -p "$parent"
# One build at a time per cache: a second one waits, then finds the image built.
exec 9>"$parent/.build.lock"
flock 9
if [ -f "$out/manifest.json" ]; then
  echo "base image: already built at $out"
  exit 0
fi
work=$(mktemp -d "$parent/.build-XXXXXX")
root=$work/root
cleanup() {
  # Unmount what the chroot had before removing anything, and never cross into another filesystem.
  for mounted in "$root/dev" "$root/sys" "$root/proc"; do
    if mountpoint -q "$mounted" 2>/dev/null; then umount -l "$mounted" || true; fi
  done
  rm -rf --one-file-system "$work" || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM
started=$(date +%s)

echo "base image: debootstrap $suite from the Debian mirror"
debootstrap --variant=minbase --include="$base_packages" "$suite" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 || {
  tail -n 20 "$work/debootstrap.log" >&2
  tail -n 20 "$root/debootstrap/debootstrap.log" >&2 2>/dev/null || true
  exit 1
}
echo "base image: installing the kernel, sshd, cloud-init, mdadm, cryptsetup, xfsprogs"
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
# Nothing starts inside the build root.
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
# shellcheck disable=SC2086 # the package list is meant to split
chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $packages >"$work/apt.log" 2>&1 || {
  tail -n 30 "$work/apt.log" >&2
  exit 1
}
rm -f "$root/usr/sbin/policy-rc.d"
umount "$root/dev" "$root/sys" "$root/proc"

echo "base image: configuring the guest"
echo "LABEL=root / ext4 defaults,errors=remount-ro 0 1" >"$root/etc/fstab"
echo debian >"$root/etc/hostname"
# Every server gets its own host keys from cloud-init at first boot; none are shared through the image.
rm -f "$root"/etc/ssh/ssh_host_*
cat >"$root/etc/systemd/network/50-dhcp.network" <<'NET'
[Match]
Name=en* eth*

[Network]
DHCP=yes
NET
chroot "$root" systemctl enable systemd-networkd.service >/dev/null 2>&1
chroot "$root" systemctl enable ssh.service >/dev/null 2>&1 || true
# Only the NoCloud seed the driver delivers: probing for other clouds' metadata services would stall the boot.
cat >"$root/etc/cloud/cloud.cfg.d/90-machine-images.cfg" <<'CFG'
datasource_list: [NoCloud, None]
# The DHCP unit below configures the one NIC; the driver reads this line from the serial console (status checks).
network: {config: disabled}
# The server's name resolves on the server (sudo asks for it).
manage_etc_hosts: localhost
final_message: "machine-images: boot finished after $UPTIME s"
datasource:
  NoCloud:
    seedfrom: /var/lib/cloud/seed/nocloud/
CFG
# The seed arrives through QEMU's fw_cfg (opt/machine-images/*) and is copied to NoCloud's seed folder before
# cloud-init looks for it.
cat >"$root/usr/local/sbin/machine-images-seed" <<'SEED'
#!/bin/sh
set -eu
modprobe qemu_fw_cfg 2>/dev/null || true
base=/sys/firmware/qemu_fw_cfg/by_name/opt/machine-images
seed=/var/lib/cloud/seed/nocloud
[ -d "$base" ] || exit 0
mkdir -p "$seed"
for name in meta-data user-data vendor-data; do
  if [ -r "$base/$name/raw" ]; then cat "$base/$name/raw" >"$seed/$name"; else : >"$seed/$name"; fi
done
chmod 0600 "$seed/user-data"
SEED
chmod 0755 "$root/usr/local/sbin/machine-images-seed"
cat >"$root/etc/systemd/system/machine-images-seed.service" <<'UNIT'
[Unit]
Description=Copy the machine-images NoCloud seed from fw_cfg
DefaultDependencies=no
After=local-fs.target
Before=cloud-init-local.service cloud-init.service

[Service]
Type=oneshot
ExecStart=/usr/local/sbin/machine-images-seed

[Install]
WantedBy=cloud-init-local.service
UNIT
chroot "$root" systemctl enable machine-images-seed.service >/dev/null 2>&1
# A serial console for the boot log the driver reads its status checks from.
chroot "$root" systemctl enable serial-getty@ttyS0.service >/dev/null 2>&1 || true
chroot "$root" passwd -l root >/dev/null
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/log/*.log "$root"/etc/machine-id
: >"$root/etc/machine-id"

kernel=$(find "$root/boot" -maxdepth 1 -name 'vmlinuz-*' | sort | tail -n 1)
initrd=$(find "$root/boot" -maxdepth 1 -name 'initrd.img-*' | sort | tail -n 1)
if [ -z "$kernel" ] || [ -z "$initrd" ]; then
  echo "build-base-image.sh: the kernel or initrd is missing from /boot" >&2
  exit 1
fi
cp "$kernel" "$work/vmlinuz"
cp "$initrd" "$work/initrd.img"

echo "base image: writing the disk ($disk_size ext4, labelled root)"
truncate -s "$disk_size" "$work/disk.raw"
mkfs.ext4 -q -L root -d "$root" "$work/disk.raw"
qemu-img convert -O qcow2 "$work/disk.raw" "$work/disk.qcow2"
rm -f "$work/disk.raw"
rm -rf "$root"

cat >"$work/manifest.json" <<JSON
{"distribution":"debian","version":"12","suite":"$suite","architecture":"x86_64","kernel":"$(basename "$kernel" | sed 's/^vmlinuz-//')","builtAt":"$(date -u +%Y-%m-%dT%H:%M:%SZ)","buildSeconds":$(($(date +%s) - started))}
JSON
rm -f "$work/debootstrap.log" "$work/apt.log"
# Readable by the user who asked for it (sudo npm run qemu:image) and by the service, not only by root.
chmod 0755 "$work"
if [ -n "${SUDO_UID:-}" ] && [ -n "${SUDO_GID:-}" ]; then chown -R "$SUDO_UID:$SUDO_GID" "$work"; fi
mv "$work" "$out"
trap - EXIT
echo "base image: ready in $(($(date +%s) - started)) s at $out"

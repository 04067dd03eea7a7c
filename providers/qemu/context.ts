import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { ProviderError } from '../../domain/cloud-errors';
import type { RecordStore } from '../local/record-store';
import { QEMU_REGION, QEMU_ZONE } from './catalog';

// What every part of the qemu driver shares: its records (the sim's SQLite store, one JSON document per
// resource, so that the API and the worker see one cloud), where its files live, and its limits.

export interface QemuLimits {
  /** Guests running at once. */
  guests: number;
  /** Memory of the running guests together, in MiB. */
  memoryMb: number;
}

export interface QemuContext {
  store: RecordStore;
  /** DATA_DIR/qemu: images, volumes and one folder per server. */
  root: string;
  /** The base image the public library offers (built by scripts/qemu/build-base-image.sh), when built. */
  baseImageDir: string;
  /** auto: KVM where it runs a guest here, else TCG (software emulation); settled at the first boot. */
  accel: 'auto' | 'kvm' | 'tcg';
  limits: QemuLimits;
  qemuBinary: string;
}

export function requireRegion(region: string): void {
  if (region !== QEMU_REGION)
    throw new ProviderError(
      'InvalidInput',
      `region ${region} does not exist here; the qemu cloud has one region, ${QEMU_REGION}`,
    );
}

export function requireZone(region: string, zone: string | undefined): string {
  requireRegion(region);
  if (zone !== undefined && zone !== QEMU_ZONE)
    throw new ProviderError('InvalidInput', `zone ${zone} is not in region ${region}; use ${QEMU_ZONE}`);
  return QEMU_ZONE;
}

/** Ids of 20 characters at most: a volume's id is its virtio serial, and virtio-blk keeps 20 bytes of it. */
export const newId = (prefix: string): string =>
  `${prefix}-${randomBytes(8)
    .toString('hex')
    .slice(0, 19 - prefix.length)}`;

export const serverDir = (ctx: QemuContext, serverId: string) => path.join(ctx.root, 'servers', serverId);
export const volumeFile = (ctx: QemuContext, volumeId: string) => path.join(ctx.root, 'volumes', `${volumeId}.qcow2`);
export const imageFile = (ctx: QemuContext, imageId: string) => path.join(ctx.root, 'images', `${imageId}.qcow2`);

/** A unix socket path must fit in 108 bytes: a deep DATA_DIR moves the QMP socket to the temp folder. */
export function qmpSocketPath(ctx: QemuContext, serverId: string): string {
  const beside = path.join(serverDir(ctx, serverId), 'qmp.sock');
  return Buffer.byteLength(beside) < 100 ? beside : path.join(os.tmpdir(), `machine-images-qmp-${serverId}.sock`);
}

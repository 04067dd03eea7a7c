import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Capabilities } from '../../domain/capabilities';
import type { Architecture, ImageShareChange, ImageShares, MachineImage } from '../../domain/image';
import type { CreatedKeypair, Firewall, FirewallRule, Keypair } from '../../domain/network';
import type { Page, PageRequest } from '../../domain/page';
import type { Product } from '../../domain/product';
import type { Server, ServerStatus, StatusCheck } from '../../domain/server';
import type { Volume } from '../../domain/volume';
import type {
  CaptureImageInput,
  CloudProvider,
  CreateFirewallInput,
  CreateVolumeInput,
  ImageUpdate,
  LaunchServerInput,
  PublicImageQuery,
  ServerFilter,
  VolumeFilter,
} from '../cloud-provider';
import { RecordStore } from '../local/record-store';
import { QEMU_CAPABILITIES, QEMU_PRODUCTS, QEMU_REGION, QEMU_ZONE } from './catalog';
import { requireRegion, type QemuContext, type QemuLimits } from './context';
import * as shares from './qemu-image-shares';
import { applyFirewall } from './qemu-forwards';
import * as images from './qemu-images';
import * as network from './qemu-network';
import * as servers from './qemu-servers';
import * as volumes from './qemu-volumes';

export interface QemuProviderOptions {
  /** DATA_DIR/qemu. */
  root: string;
  baseImageDir: string;
  accel: 'auto' | 'kvm' | 'tcg';
  limits: QemuLimits;
  qemuBinary?: string;
}

// The local cloud: servers are QEMU virtual machines on this machine (see providers/README.md).
export class QemuProvider implements CloudProvider {
  readonly name = 'qemu';
  readonly ctx: QemuContext;
  private registered = false;

  constructor(options: QemuProviderOptions) {
    // Captured disks hold cloud-init's copy of user data and host keys: only this account reads them.
    mkdirSync(options.root, { recursive: true, mode: 0o700 });
    this.ctx = {
      store: new RecordStore(path.join(options.root, 'qemu-cloud.db')),
      root: options.root,
      baseImageDir: options.baseImageDir,
      accel: options.accel,
      limits: options.limits,
      qemuBinary: options.qemuBinary ?? 'qemu-system-x86_64',
    };
    this.library();
  }

  close(): void {
    this.ctx.store.close();
  }

  async capabilities(region: string): Promise<Capabilities> {
    requireRegion(region);
    return structuredClone(QEMU_CAPABILITIES);
  }

  async listRegions(): Promise<string[]> {
    return [QEMU_REGION];
  }

  async listZones(region: string): Promise<string[]> {
    requireRegion(region);
    return [QEMU_ZONE];
  }

  /** The base image may be built after this process started (npm run qemu:image): look for it until it is there. */
  private library(): void {
    if (!this.registered) this.registered = images.registerBaseImage(this.ctx, QEMU_REGION);
  }

  async listImages(region: string, page?: PageRequest): Promise<Page<MachineImage>> {
    return images.listImages(this.ctx, region, page);
  }

  async searchPublicImages(region: string, query: PublicImageQuery): Promise<Page<MachineImage>> {
    this.library();
    return images.searchPublicImages(this.ctx, region, query);
  }

  async getImage(region: string, imageId: string): Promise<MachineImage> {
    this.library();
    return images.getImage(this.ctx, region, imageId);
  }

  async captureImage(region: string, input: CaptureImageInput): Promise<MachineImage> {
    return images.captureImage(this.ctx, region, input, () =>
      servers.holdStoppedForCapture(this.ctx, region, input.serverId),
    );
  }

  async updateImage(region: string, imageId: string, update: ImageUpdate): Promise<MachineImage> {
    return images.updateImage(this.ctx, region, imageId, update);
  }

  async deprecateImage(
    region: string,
    imageId: string,
    options?: { replacementId?: string; at?: string },
  ): Promise<MachineImage> {
    return images.deprecateImage(this.ctx, region, imageId, options);
  }

  async disableImage(region: string, imageId: string): Promise<MachineImage> {
    return images.disableImage(this.ctx, region, imageId);
  }

  async enableImage(region: string, imageId: string): Promise<MachineImage> {
    return images.enableImage(this.ctx, region, imageId);
  }

  async listImageShares(region: string, imageId: string): Promise<ImageShares> {
    return shares.listImageShares(this.ctx, region, imageId);
  }

  async shareImage(region: string, imageId: string, change: ImageShareChange): Promise<ImageShares> {
    return shares.shareImage(this.ctx, region, imageId, change);
  }

  async unshareImage(region: string, imageId: string, change: ImageShareChange): Promise<ImageShares> {
    return shares.unshareImage(this.ctx, region, imageId, change);
  }

  async listSharedImages(region: string, page?: PageRequest): Promise<Page<MachineImage>> {
    return shares.listSharedImages(this.ctx, region, page);
  }

  async deregisterImage(region: string, imageId: string): Promise<void> {
    images.deregisterImage(
      this.ctx,
      region,
      imageId,
      (id) => servers.listServers(this.ctx, region, { imageId: id }).find((s) => s.state !== 'terminated')?.id,
    );
  }

  async listProducts(region: string, filter: { architecture?: Architecture } = {}): Promise<Product[]> {
    requireRegion(region);
    return QEMU_PRODUCTS.filter((p) => !filter.architecture || p.architecture === filter.architecture).map(
      ({ memoryMb: _mb, ...product }) => product,
    );
  }

  async launchServer(region: string, input: LaunchServerInput): Promise<Server> {
    this.library();
    return servers.launchServer(this.ctx, region, input);
  }

  async getServer(region: string, serverId: string): Promise<Server> {
    return servers.getServer(this.ctx, region, serverId);
  }

  async listServers(region: string, filter?: ServerFilter): Promise<Server[]> {
    return servers.listServers(this.ctx, region, filter);
  }

  async stopServer(region: string, serverId: string): Promise<Server> {
    return servers.stopServer(this.ctx, region, serverId);
  }

  async startServer(region: string, serverId: string): Promise<Server> {
    return servers.startServer(this.ctx, region, serverId, (id) => images.captureInProgress(this.ctx, region, id));
  }

  async rebootServer(region: string, serverId: string): Promise<Server> {
    return servers.rebootServer(this.ctx, region, serverId);
  }

  async terminateServer(region: string, serverId: string): Promise<void> {
    return servers.terminateServer(this.ctx, region, serverId);
  }

  async statusChecks(region: string, serverId: string): Promise<StatusCheck> {
    return servers.statusChecks(this.ctx, region, serverId);
  }

  /** Each server's status is a look at its process and console log, not an API call: no batching to gain. */
  readonly statusBatchLimit = 100;

  async serverStatuses(region: string, serverIds: string[]): Promise<ServerStatus[]> {
    return servers.serverStatuses(this.ctx, region, serverIds);
  }

  async createKeypair(region: string, name: string, tags?: Record<string, string>): Promise<CreatedKeypair> {
    return network.createKeypair(this.ctx, region, name, tags);
  }

  async importKeypair(
    region: string,
    name: string,
    publicKey: string,
    tags?: Record<string, string>,
  ): Promise<Keypair> {
    return network.importKeypair(this.ctx, region, name, publicKey, tags);
  }

  async listKeypairs(region: string): Promise<Keypair[]> {
    return network.listKeypairs(this.ctx, region);
  }

  async deleteKeypair(region: string, name: string): Promise<void> {
    network.deleteKeypair(this.ctx, region, name);
  }

  async createFirewall(region: string, input: CreateFirewallInput): Promise<Firewall> {
    return network.createFirewall(this.ctx, region, input);
  }

  async authorize(region: string, firewallId: string, rules: FirewallRule[]): Promise<Firewall> {
    const firewall = network.authorize(this.ctx, region, firewallId, rules);
    await applyFirewall(this.ctx, region, firewall);
    return firewall;
  }

  async revoke(region: string, firewallId: string, rules: FirewallRule[]): Promise<Firewall> {
    const firewall = network.revoke(this.ctx, region, firewallId, rules);
    await applyFirewall(this.ctx, region, firewall);
    return firewall;
  }

  async listFirewalls(
    region: string,
    filter?: { ids?: string[]; tag?: { key: string; value?: string } },
  ): Promise<Firewall[]> {
    return network.listFirewalls(this.ctx, region, filter);
  }

  async deleteFirewall(region: string, firewallId: string): Promise<void> {
    network.deleteFirewall(
      this.ctx,
      region,
      firewallId,
      (id) =>
        this.ctx.store
          .list<servers.ServerDoc>('server', region)
          .find((s) => s.doc.firewallIds.includes(id) && s.doc.desired !== 'terminated')?.id,
    );
  }

  async createVolume(region: string, input: CreateVolumeInput): Promise<Volume> {
    return volumes.createVolume(this.ctx, region, input);
  }

  async attachVolume(region: string, volumeId: string, serverId: string, device: string): Promise<Volume> {
    return volumes.attachVolume(this.ctx, region, volumeId, serverId, device);
  }

  async detachVolume(region: string, volumeId: string): Promise<Volume> {
    return volumes.detachVolume(this.ctx, region, volumeId);
  }

  async deleteVolume(region: string, volumeId: string): Promise<void> {
    volumes.deleteVolume(this.ctx, region, volumeId);
  }

  async getVolume(region: string, volumeId: string): Promise<Volume> {
    return volumes.getVolume(this.ctx, region, volumeId);
  }

  async listVolumes(region: string, filter?: VolumeFilter): Promise<Volume[]> {
    return volumes.listVolumes(this.ctx, region, filter);
  }
}

import type { Capabilities } from '../../domain/capabilities';
import type { Architecture, ImageShareChange, ImageShares, MachineImage } from '../../domain/image';
import type { CreatedKeypair, Firewall, FirewallRule, Keypair } from '../../domain/network';
import type { Page, PageRequest } from '../../domain/page';
import type { Product } from '../../domain/product';
import type { Server, ServerStatus, StatusCheck } from '../../domain/server';
import { ProviderError } from '../../domain/cloud-errors';
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
import { SIM_ACCOUNT, SIM_PRODUCTS, SIM_REGIONS } from './catalog';
import { DEFAULT_SIM_QUOTAS, requireRegion, zonesOf, type SimContext, type SimQuotas } from './context';
import { FaultInjector, type FaultPlan } from './faults';
import { LOCAL_NAMING } from '../local/naming';
import { LOCAL_ACCOUNT_RULE } from '../local/image-shares';
import { SimGuest } from './sim-guest';
import * as shares from './sim-image-shares';
import * as images from './sim-images';
import * as network from './sim-network';
import * as servers from './sim-servers';
import * as volumes from './sim-volumes';
import { RecordStore } from '../local/record-store';
import { SimClock } from './timeline';

export interface SimOptions {
  /** SQLite file shared by every process of the service; in memory when absent. */
  dbFile?: string;
  /** Multiplies every simulated duration; 0 makes the cloud instant. */
  timeScale?: number;
  faults?: FaultPlan;
  quotas?: Partial<SimQuotas>;
  now?: () => number;
  /** The account to act as (SIM_ACCOUNT_ID); two drivers over one dbFile with different accounts can share images. */
  account?: string;
  /** Less than the sim's full set, to play a cloud that cannot do something (what the console then leaves out). */
  capabilities?: Partial<Capabilities>;
}

/** The embedded default cloud: state in SQLite, a function of time, with faults on demand. */
export class SimProvider implements CloudProvider {
  readonly name = 'sim';
  /** Tests and configuration script faults through this. */
  readonly faults: FaultInjector;
  private readonly ctx: SimContext;
  private readonly declared: Partial<Capabilities>;

  constructor(options: SimOptions = {}) {
    this.declared = options.capabilities ?? {};
    const store = new RecordStore(options.dbFile ?? ':memory:');
    this.faults = new FaultInjector(store, options.faults ?? { rates: {}, scripted: [] });
    this.ctx = {
      store,
      clock: new SimClock(options.timeScale ?? 0, options.now),
      faults: this.faults,
      quotas: { ...DEFAULT_SIM_QUOTAS, ...options.quotas },
      account: options.account ?? SIM_ACCOUNT,
    };
  }

  close(): void {
    this.ctx.store.close();
  }

  async capabilities(region: string): Promise<Capabilities> {
    requireRegion(region);
    return {
      publicLibrary: true,
      captureFrom: ['running', 'stopped'],
      clientTokens: true,
      blockEncryption: true,
      maxVolumesPerServer: volumes.SIM_MAX_VOLUMES_PER_SERVER,
      ipv6Firewall: true,
      volumeTypes: [...volumes.SIM_VOLUME_TYPES],
      labels: true,
      deprecation: true,
      disableImage: true,
      naming: LOCAL_NAMING,
      imageSharing: { account: LOCAL_ACCOUNT_RULE },
      ...this.declared,
    };
  }

  /** What the sim was told it cannot do is refused, as such a cloud would. */
  private require(capability: 'labels' | 'deprecation' | 'disableImage', what: string): void {
    if (this.declared[capability] === false) throw new ProviderError('Unsupported', `this cloud cannot ${what}`);
  }

  async listRegions(): Promise<string[]> {
    return Object.keys(SIM_REGIONS);
  }

  async listZones(region: string): Promise<string[]> {
    return zonesOf(region);
  }

  async listImages(region: string, page?: PageRequest): Promise<Page<MachineImage>> {
    return images.listImages(this.ctx, region, page);
  }

  async searchPublicImages(region: string, query: PublicImageQuery): Promise<Page<MachineImage>> {
    return images.searchPublicImages(this.ctx, region, query);
  }

  async getImage(region: string, imageId: string): Promise<MachineImage> {
    return images.findImage(this.ctx, region, imageId);
  }

  async captureImage(region: string, input: CaptureImageInput): Promise<MachineImage> {
    return images.captureImage(this.ctx, region, input);
  }

  async updateImage(region: string, imageId: string, update: ImageUpdate): Promise<MachineImage> {
    if (update.labelColor !== undefined || update.labels !== undefined) this.require('labels', 'label images');
    return images.updateImage(this.ctx, region, imageId, update);
  }

  async deprecateImage(
    region: string,
    imageId: string,
    options?: { replacementId?: string; at?: string },
  ): Promise<MachineImage> {
    this.require('deprecation', 'deprecate images');
    return images.deprecateImage(this.ctx, region, imageId, options);
  }

  async disableImage(region: string, imageId: string): Promise<MachineImage> {
    this.require('disableImage', 'disable images');
    return images.changeImage(this.ctx, region, imageId, 'disableImage', (doc) => {
      doc.disabled = true;
    });
  }

  async enableImage(region: string, imageId: string): Promise<MachineImage> {
    return images.changeImage(this.ctx, region, imageId, 'enableImage', (doc) => {
      delete doc.disabled;
    });
  }

  async deregisterImage(region: string, imageId: string): Promise<void> {
    images.deregisterImage(this.ctx, region, imageId);
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
    return images.listSharedImages(this.ctx, region, page);
  }

  async listProducts(region: string, filter: { architecture?: Architecture } = {}): Promise<Product[]> {
    requireRegion(region);
    return SIM_PRODUCTS.filter((p) => !filter.architecture || p.architecture === filter.architecture).map((p) => ({
      ...p,
    }));
  }

  async launchServer(region: string, input: LaunchServerInput): Promise<Server> {
    return servers.launchServer(this.ctx, region, input);
  }

  async getServer(region: string, serverId: string): Promise<Server> {
    return servers.serverView(this.ctx, servers.loadServer(this.ctx, serverId, region));
  }

  async listServers(region: string, filter?: ServerFilter): Promise<Server[]> {
    requireRegion(region);
    return servers.listServers(this.ctx, region, filter);
  }

  async stopServer(region: string, serverId: string): Promise<Server> {
    return servers.stopServer(this.ctx, region, serverId);
  }

  async startServer(region: string, serverId: string): Promise<Server> {
    return servers.startServer(this.ctx, region, serverId);
  }

  async rebootServer(region: string, serverId: string): Promise<Server> {
    return servers.rebootServer(this.ctx, region, serverId);
  }

  async terminateServer(region: string, serverId: string): Promise<void> {
    servers.terminateServer(this.ctx, region, serverId);
  }

  async statusChecks(region: string, serverId: string): Promise<StatusCheck> {
    return servers.statusChecks(this.ctx, region, serverId);
  }

  /** As EC2's DescribeInstanceStatus. */
  readonly statusBatchLimit = 100;

  async serverStatuses(region: string, serverIds: string[]): Promise<ServerStatus[]> {
    requireRegion(region);
    return servers.serverStatuses(this.ctx, region, serverIds);
  }

  /** Whether a server's guest is up, as the guest itself sees it: no API call, so no API fault. */
  guestChecks(region: string, serverId: string): StatusCheck {
    return servers.checksOf(this.ctx, region, serverId);
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
    return network.authorize(this.ctx, region, firewallId, rules);
  }

  async revoke(region: string, firewallId: string, rules: FirewallRule[]): Promise<Firewall> {
    return network.revoke(this.ctx, region, firewallId, rules);
  }

  async listFirewalls(
    region: string,
    filter?: { ids?: string[]; tag?: { key: string; value?: string } },
  ): Promise<Firewall[]> {
    return network.listFirewalls(this.ctx, region, filter);
  }

  async deleteFirewall(region: string, firewallId: string): Promise<void> {
    network.deleteFirewall(this.ctx, region, firewallId);
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

  /** Sim only: the cloud publishes a new public image (a new upstream build for template families). */
  publishPublicImage(region: string, spec: Parameters<typeof images.publishPublicImage>[2]): MachineImage {
    return images.publishPublicImage(this.ctx, region, spec);
  }

  /** Sim only: the server's block devices by stable id, for the sim's guest executor. */
  guestDevices(region: string, serverId: string): volumes.GuestDevice[] {
    return volumes.guestDevices(this.ctx, region, serverId);
  }

  /** Sim only: the server's guest state (arrays, LUKS, filesystems, mounts), for the sim's guest executor. */
  guest(region: string, serverId: string): SimGuest {
    return new SimGuest(this.ctx, region, serverId);
  }
}

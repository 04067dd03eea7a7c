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
import { AWS_CAPABILITIES } from './capabilities';
import { Ec2Session, type AwsProviderOptions } from './ec2-session';
import { AwsFirewalls } from './firewalls';
import * as geography from './geography';
import * as imageChanges from './image-changes';
import * as imageShares from './image-shares';
import * as images from './images';
import * as keypairs from './keypairs';
import { AwsProducts } from './products';
import * as servers from './servers';
import * as volumes from './volumes';

export type { AwsProviderOptions } from './ec2-session';

// EC2 through @aws-sdk/client-ec2, against AWS or moto. Each role lives in its own module; this class only routes.
export class AwsProvider implements CloudProvider {
  readonly name = 'aws';
  private readonly ec2: Ec2Session;
  private readonly products: AwsProducts;
  private readonly firewalls: AwsFirewalls;

  constructor(options: AwsProviderOptions = {}) {
    this.ec2 = new Ec2Session(options);
    this.products = new AwsProducts(this.ec2);
    this.firewalls = new AwsFirewalls(this.ec2);
  }

  async capabilities(_region: string): Promise<Capabilities> {
    return structuredClone(AWS_CAPABILITIES);
  }

  listRegions = (): Promise<string[]> => geography.listRegions(this.ec2);
  listZones = (region: string): Promise<string[]> => geography.listZones(this.ec2, region);

  listImages = (region: string, page?: PageRequest): Promise<Page<MachineImage>> =>
    images.listImages(this.ec2, region, page);
  searchPublicImages = (region: string, query: PublicImageQuery): Promise<Page<MachineImage>> =>
    images.searchPublicImages(this.ec2, region, query);
  getImage = (region: string, imageId: string): Promise<MachineImage> => images.getImage(this.ec2, region, imageId);
  captureImage = (region: string, input: CaptureImageInput): Promise<MachineImage> =>
    images.captureImage(this.ec2, region, input);
  updateImage = (region: string, imageId: string, update: ImageUpdate): Promise<MachineImage> =>
    imageChanges.updateImage(this.ec2, region, imageId, update);
  deprecateImage = (
    region: string,
    imageId: string,
    options?: { replacementId?: string; at?: string },
  ): Promise<MachineImage> => imageChanges.deprecateImage(this.ec2, region, imageId, options);
  disableImage = (region: string, imageId: string): Promise<MachineImage> =>
    imageChanges.disableImage(this.ec2, region, imageId);
  enableImage = (region: string, imageId: string): Promise<MachineImage> =>
    imageChanges.enableImage(this.ec2, region, imageId);
  deregisterImage = (region: string, imageId: string): Promise<void> =>
    images.deregisterImage(this.ec2, region, imageId);
  listImageShares = (region: string, imageId: string): Promise<ImageShares> =>
    imageShares.listImageShares(this.ec2, region, imageId);
  shareImage = (region: string, imageId: string, change: ImageShareChange): Promise<ImageShares> =>
    imageShares.shareImage(this.ec2, region, imageId, change);
  unshareImage = (region: string, imageId: string, change: ImageShareChange): Promise<ImageShares> =>
    imageShares.unshareImage(this.ec2, region, imageId, change);
  listSharedImages = (region: string, page?: PageRequest): Promise<Page<MachineImage>> =>
    imageShares.listSharedImages(this.ec2, region, page);

  listProducts = (region: string, filter?: { architecture?: Architecture }): Promise<Product[]> =>
    this.products.list(region, filter);

  launchServer = (region: string, input: LaunchServerInput): Promise<Server> =>
    servers.launchServer(this.ec2, region, input);
  getServer = (region: string, serverId: string): Promise<Server> => servers.getServer(this.ec2, region, serverId);
  listServers = (region: string, filter?: ServerFilter): Promise<Server[]> =>
    servers.listServers(this.ec2, region, filter);
  stopServer = (region: string, serverId: string): Promise<Server> => servers.stopServer(this.ec2, region, serverId);
  startServer = (region: string, serverId: string): Promise<Server> => servers.startServer(this.ec2, region, serverId);
  rebootServer = (region: string, serverId: string): Promise<Server> =>
    servers.rebootServer(this.ec2, region, serverId);
  terminateServer = (region: string, serverId: string): Promise<void> =>
    servers.terminateServer(this.ec2, region, serverId);
  statusChecks = (region: string, serverId: string): Promise<StatusCheck> =>
    servers.statusChecks(this.ec2, region, serverId);
  readonly statusBatchLimit = servers.STATUS_BATCH_LIMIT;
  /** EC2's documented bucket for an account's non-mutating actions. */
  readonly readBudget = { ratePerSecond: 20, burst: 100 };
  serverStatuses = (region: string, serverIds: string[]): Promise<ServerStatus[]> =>
    servers.serverStatuses(this.ec2, region, serverIds);

  createKeypair = (region: string, name: string, tags?: Record<string, string>): Promise<CreatedKeypair> =>
    keypairs.createKeypair(this.ec2, region, name, tags);
  importKeypair = (region: string, name: string, publicKey: string, tags?: Record<string, string>): Promise<Keypair> =>
    keypairs.importKeypair(this.ec2, region, name, publicKey, tags);
  listKeypairs = (region: string): Promise<Keypair[]> => keypairs.listKeypairs(this.ec2, region);
  deleteKeypair = (region: string, name: string): Promise<void> => keypairs.deleteKeypair(this.ec2, region, name);

  createFirewall = (region: string, input: CreateFirewallInput): Promise<Firewall> =>
    this.firewalls.create(region, input);
  authorize = (region: string, firewallId: string, rules: FirewallRule[]): Promise<Firewall> =>
    this.firewalls.authorize(region, firewallId, rules);
  revoke = (region: string, firewallId: string, rules: FirewallRule[]): Promise<Firewall> =>
    this.firewalls.revoke(region, firewallId, rules);
  listFirewalls = (
    region: string,
    filter?: { ids?: string[]; tag?: { key: string; value?: string } },
  ): Promise<Firewall[]> => this.firewalls.list(region, filter);
  deleteFirewall = (region: string, firewallId: string): Promise<void> => this.firewalls.delete(region, firewallId);

  createVolume = (region: string, input: CreateVolumeInput): Promise<Volume> =>
    volumes.createVolume(this.ec2, region, input);
  attachVolume = (region: string, volumeId: string, serverId: string, device: string): Promise<Volume> =>
    volumes.attachVolume(this.ec2, region, volumeId, serverId, device);
  detachVolume = (region: string, volumeId: string): Promise<Volume> =>
    volumes.detachVolume(this.ec2, region, volumeId);
  deleteVolume = (region: string, volumeId: string): Promise<void> => volumes.deleteVolume(this.ec2, region, volumeId);
  getVolume = (region: string, volumeId: string): Promise<Volume> => volumes.getVolume(this.ec2, region, volumeId);
  listVolumes = (region: string, filter?: VolumeFilter): Promise<Volume[]> =>
    volumes.listVolumes(this.ec2, region, filter);
}

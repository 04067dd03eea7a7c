import type { Capabilities } from '../domain/capabilities';
import type { Architecture, ImageShareChange, ImageShares, MachineImage } from '../domain/image';
import type { CreatedKeypair, Firewall, FirewallRule, Keypair } from '../domain/network';
import type { Page, PageRequest } from '../domain/page';
import type { Product } from '../domain/product';
import type { Server, ServerStatus, StatusCheck } from '../domain/server';
import type { Volume } from '../domain/volume';

// The one interface every cloud driver implements (modelled on Dasein Cloud's support interfaces).
// Every call is scoped to a region; ids are the cloud's. Failures are ProviderErrors (./errors.ts).

export interface PublicImageQuery extends PageRequest {
  /** Name substring, or a glob with * and ? (matched against the whole name). */
  q?: string;
  platform?: string;
  architecture?: Architecture;
  ownerId?: string;
  /** Images carrying this tag (and value, when given). */
  tag?: { key: string; value?: string };
}

export interface CaptureImageInput {
  serverId: string;
  name: string;
  description?: string;
  /** Stop the server for a consistent disk; without it the image is taken from a running server. */
  reboot: boolean;
  tags?: Record<string, string>;
  clientToken?: string;
}

export interface ImageUpdate {
  name?: string;
  description?: string;
  labelColor?: string;
  /** Tags to set (an empty string value removes the tag). */
  labels?: Record<string, string>;
}

export interface LaunchServerInput {
  imageId: string;
  productId: string;
  name: string;
  zone?: string;
  firewallIds?: string[];
  keypairName?: string;
  userData?: string;
  tags?: Record<string, string>;
  /** The same token returns the same server, however often the call is repeated. */
  clientToken: string;
}

export interface ServerFilter {
  imageId?: string;
  states?: Server['state'][];
  tag?: { key: string; value?: string };
}

export interface CreateFirewallInput {
  name: string;
  description: string;
  rules: FirewallRule[];
  tags?: Record<string, string>;
}

export interface CreateVolumeInput {
  sizeGb: number;
  type?: string;
  zone: string;
  encrypted: boolean;
  kmsKeyId?: string;
  clientToken: string;
  tags?: Record<string, string>;
}

export interface VolumeFilter {
  serverId?: string;
  tag?: { key: string; value?: string };
}

export interface CloudProvider {
  /** The driver's registry name: sim, aws, qemu. */
  readonly name: string;
  /** The most servers one serverStatuses call takes (EC2: 100); the readiness waits batch up to it. */
  readonly statusBatchLimit: number;
  /**
   * How fast the cloud lets one account read (EC2: 20 a second, 100 at once), the worker's budget unless
   * CLOUD_CALL_RATE says otherwise; absent for a cloud that meters nothing (the sim, qemu).
   */
  readonly readBudget?: { ratePerSecond: number; burst: number };
  capabilities(region: string): Promise<Capabilities>;

  // geography
  listRegions(): Promise<string[]>;
  listZones(region: string): Promise<string[]>;

  // images
  /** This account's own images. */
  listImages(region: string, page?: PageRequest): Promise<Page<MachineImage>>;
  searchPublicImages(region: string, query: PublicImageQuery): Promise<Page<MachineImage>>;
  /** Any image the caller may launch from (own or public); throws NotFound. */
  getImage(region: string, imageId: string): Promise<MachineImage>;
  captureImage(region: string, input: CaptureImageInput): Promise<MachineImage>;
  updateImage(region: string, imageId: string, update: ImageUpdate): Promise<MachineImage>;
  deprecateImage(
    region: string,
    imageId: string,
    options?: { replacementId?: string; at?: string },
  ): Promise<MachineImage>;
  /** Where capabilities().disableImage; otherwise Unsupported. */
  disableImage(region: string, imageId: string): Promise<MachineImage>;
  enableImage(region: string, imageId: string): Promise<MachineImage>;
  /** Removes an own image; one already gone counts as done. */
  deregisterImage(region: string, imageId: string): Promise<void>;
  /** Who else may launch an own image (EC2 launch permissions); Unsupported where capabilities().imageSharing is absent. */
  listImageShares(region: string, imageId: string): Promise<ImageShares>;
  /** Adds accounts and/or makes an own image public; answers the shares after the change. */
  shareImage(region: string, imageId: string, change: ImageShareChange): Promise<ImageShares>;
  /** Removes accounts and/or makes a public own image private again; removing what is not there counts as done. */
  unshareImage(region: string, imageId: string, change: ImageShareChange): Promise<ImageShares>;
  /** Images of other accounts shared with this one by id (public ones are in searchPublicImages). */
  listSharedImages(region: string, page?: PageRequest): Promise<Page<MachineImage>>;

  // products
  listProducts(region: string, filter?: { architecture?: Architecture }): Promise<Product[]>;

  // servers
  launchServer(region: string, input: LaunchServerInput): Promise<Server>;
  getServer(region: string, serverId: string): Promise<Server>;
  listServers(region: string, filter?: ServerFilter): Promise<Server[]>;
  stopServer(region: string, serverId: string): Promise<Server>;
  startServer(region: string, serverId: string): Promise<Server>;
  /**
   * Restarts a running server's operating system; it stays `running` and its status checks leave `ok` until it is
   * back. Conflict for a server that is not running.
   */
  rebootServer(region: string, serverId: string): Promise<Server>;
  /** One already terminated counts as done. */
  terminateServer(region: string, serverId: string): Promise<void>;
  statusChecks(region: string, serverId: string): Promise<StatusCheck>;
  /**
   * State and status checks of up to statusBatchLimit servers in one call, for many readiness waits at once.
   * Servers the cloud does not know (long gone) are left out rather than failing the call.
   */
  serverStatuses(region: string, serverIds: string[]): Promise<ServerStatus[]>;

  // key pairs
  createKeypair(region: string, name: string, tags?: Record<string, string>): Promise<CreatedKeypair>;
  importKeypair(region: string, name: string, publicKey: string, tags?: Record<string, string>): Promise<Keypair>;
  listKeypairs(region: string): Promise<Keypair[]>;
  /** One already gone counts as done. */
  deleteKeypair(region: string, name: string): Promise<void>;

  // firewalls
  createFirewall(region: string, input: CreateFirewallInput): Promise<Firewall>;
  /** Adds rules; one already there is left as it is. IPv6 sources only where capabilities().ipv6Firewall. */
  authorize(region: string, firewallId: string, rules: FirewallRule[]): Promise<Firewall>;
  /** Removes rules; one not there counts as removed. */
  revoke(region: string, firewallId: string, rules: FirewallRule[]): Promise<Firewall>;
  listFirewalls(
    region: string,
    filter?: { ids?: string[]; tag?: { key: string; value?: string } },
  ): Promise<Firewall[]>;
  /** One already gone counts as done. */
  deleteFirewall(region: string, firewallId: string): Promise<void>;

  // volumes
  createVolume(region: string, input: CreateVolumeInput): Promise<Volume>;
  attachVolume(region: string, volumeId: string, serverId: string, device: string): Promise<Volume>;
  detachVolume(region: string, volumeId: string): Promise<Volume>;
  /** One already gone counts as done. */
  deleteVolume(region: string, volumeId: string): Promise<void>;
  getVolume(region: string, volumeId: string): Promise<Volume>;
  listVolumes(region: string, filter?: VolumeFilter): Promise<Volume[]>;
}

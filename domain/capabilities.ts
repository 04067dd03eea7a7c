// What a cloud supports (Libcloud's `features`): callers ask before they act, and an unsupported call
// raises ProviderError('Unsupported') instead of doing nothing.
export interface NamingRule {
  /** A regular expression source the whole name must match. */
  pattern: string;
  minLength: number;
  maxLength: number;
  /** What to tell a person whose name does not fit. */
  hint: string;
}

export interface Capabilities {
  publicLibrary: boolean;
  captureFrom: ('running' | 'stopped')[];
  clientTokens: boolean;
  blockEncryption: boolean;
  maxVolumesPerServer: number;
  /** Whether firewall rules may name IPv6 sources. */
  ipv6Firewall: boolean;
  /** The disk types a volume may be created with, first the default; absent where the cloud has none (qemu's qcow2 files). */
  volumeTypes?: string[];
  labels: boolean;
  deprecation: boolean;
  disableImage: boolean;
  /** Whether own images can be shared with other accounts or made public, and what an account id looks like here. */
  imageSharing?: { account: NamingRule };
  naming: { server: NamingRule; image: NamingRule; keypair: NamingRule; firewall: NamingRule };
}

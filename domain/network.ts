// Key pairs and firewalls (security groups): what a launch chooses or creates.
export interface Keypair {
  name: string;
  fingerprint: string;
  tags: Record<string, string>;
}

/** Only returned by createKeypair: the private key exists in our hands this once. */
export interface CreatedKeypair extends Keypair {
  privateKeyPem: string;
}

export type FirewallProtocol = 'tcp' | 'udp' | 'icmp' | 'all';

export interface FirewallRule {
  protocol: FirewallProtocol;
  fromPort: number;
  toPort: number;
  cidr: string;
}

export interface Firewall {
  id: string;
  name: string;
  description: string;
  rules: FirewallRule[];
  tags: Record<string, string>;
}

// A server (Libcloud's Node): provider-neutral, with a small state union that includes `unknown`.
export type ServerState = 'pending' | 'running' | 'stopping' | 'stopped' | 'terminated' | 'error' | 'unknown';

/** Result of the cloud's health checks on a running server. */
export type StatusCheck = 'ok' | 'initializing' | 'impaired';

/** One server's state and status checks, as a batched read gives them (EC2's DescribeInstanceStatus). */
export interface ServerStatus {
  serverId: string;
  state: ServerState;
  /** `initializing` for a server that is not running. */
  checks: StatusCheck;
}

export interface Server {
  id: string;
  name: string;
  state: ServerState;
  imageId: string;
  productId: string;
  zone: string;
  publicIp?: string;
  privateIp?: string;
  createdAt: string;
  /** The firewalls (security groups) the server is in: what keeps a shared firewall alive. */
  firewallIds: string[];
  /** The key pair it was launched with, if any. */
  keypairName?: string;
  tags: Record<string, string>;
}

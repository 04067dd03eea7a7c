// Stopping, starting and rebooting a server as a long-running operation (POST /v1/servers/:id/stop, /start, /reboot).

export const POWER_ACTIONS = ['stop', 'start', 'reboot'] as const;
export type PowerAction = (typeof POWER_ACTIONS)[number];

export interface ServerPowerInput {
  region: string;
  serverId: string;
  action: PowerAction;
  /** Seconds the server has to reach its state before the operation fails, naming the state it was last seen in. */
  timeoutSeconds: number;
}

export interface ServerPowerResult {
  serverId: string;
  state: 'running' | 'stopped';
}

/** The default and the largest limits, in seconds: a cloud stops or starts a server in a few minutes at most. */
export const DEFAULT_POWER_TIMEOUT = 600;
export const MAX_POWER_TIMEOUT = 3600;

/** The state each action ends in: a rebooted server is running again, with its status checks passed. */
export const powerTarget = (action: PowerAction): ServerPowerResult['state'] =>
  action === 'stop' ? 'stopped' : 'running';

/** The operation's workflow id: a second stop of the same server while one runs joins it. */
export const powerWorkflowId = (action: PowerAction, serverId: string): string => `${action}-${serverId}`;

import type { MenuItem } from '../components/action-menu';
import type { ListedServer } from '../types';

// What can be done to a server in the state it is in; the API refuses the rest (409) and the cloud would too.

export type ServerAction = 'stop' | 'start' | 'reboot' | 'capture' | 'terminate';

export function serverActions(server: ListedServer): MenuItem<ServerAction>[] {
  const items: MenuItem<ServerAction>[] = [];
  if (server.state === 'running') items.push({ action: 'stop', label: 'Stop' }, { action: 'reboot', label: 'Reboot' });
  if (server.state === 'stopped') items.push({ action: 'start', label: 'Start' });
  if (server.state === 'running' || server.state === 'stopped')
    items.push({ action: 'capture', label: 'Capture image' });
  if (server.state !== 'terminated') items.push({ action: 'terminate', label: 'Terminate' });
  return items;
}

/** The row's word while an operation runs on it. */
export const DOING: Record<Exclude<ServerAction, 'capture'>, string> = {
  stop: 'stopping',
  start: 'starting',
  reboot: 'rebooting',
  terminate: 'terminating',
};

import { useState } from 'preact/hooks';
import { api } from '../api';
import { ActionMenu } from '../components/action-menu';
import { NoticeLine, type Notice } from '../components/notice';
import { usePagedList } from '../components/paged-list';
import type { ListedServer, Operation, OperationAccepted } from '../types';
import { DOING, serverActions, type ServerAction } from './server-actions';
import { CaptureDialog } from './server-capture-dialog';
import { useServerOperations, type Pending } from './server-operations';
import { TerminateDialog } from './server-terminate-dialog';

// Servers of the key's groups, newest first: where each came from (image, launch), whom it is charged to, its
// addresses and age; stop, start, reboot, capture an image, or terminate from each row's menu. Each action is an
// operation the row follows until it ends.

type Dialog = { action: 'capture' | 'terminate'; server: ListedServer };

const STATES = ['', 'pending', 'running', 'stopping', 'stopped', 'terminated'] as const;

/** "4 min", "3 h", "12 d": enough to tell a fresh server from a forgotten one. */
export function age(createdAt: string, now = Date.now()): string {
  const minutes = Math.max(0, Math.floor((now - Date.parse(createdAt)) / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.floor(minutes / 60)} h`;
  return `${Math.floor(minutes / (24 * 60))} d`;
}

/** "launch-6001d9c8…": the full id is the link's title, and where it leads. */
const shortId = (id: string) => (id.length > 16 ? `${id.slice(0, 15)}…` : id);

export function ServersPage({ region }: { region: string }) {
  const [filter, setFilter] = useState({ allRegions: false, state: '', name: '' });
  const [search, setSearch] = useState('');
  const [open, setOpen] = useState<string>();
  const [dialog, setDialog] = useState<Dialog>();
  const [notice, setNotice] = useState<Notice>();
  const operations = useServerOperations(onClosed);
  const {
    items: servers,
    nextCursor,
    problem,
    more,
    reload,
  } = usePagedList<ListedServer>(
    '/v1/servers',
    {
      limit: '50',
      ...(filter.allRegions ? {} : { region }),
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.name ? { name: filter.name } : {}),
    },
    [region, filter],
  );

  function onClosed(pending: Pending, operation: Operation): void {
    setNotice(
      operation.status === 'completed'
        ? { text: `${pending.serverName}: ${pending.doing} done (operation ${operation.id}).` }
        : {
            text: `${pending.serverName}: ${pending.doing} ${operation.status}: ${operation.error?.message ?? 'see operation ' + operation.id}`,
            alert: true,
          },
    );
    reload();
  }

  function started(server: ListedServer, doing: string, accepted: OperationAccepted): void {
    operations.follow(server, doing, accepted);
    setNotice({ text: `${server.name}: ${doing} (operation ${accepted.id}).` });
  }

  async function power(server: ListedServer, action: 'stop' | 'start' | 'reboot'): Promise<void> {
    try {
      const accepted = await api<OperationAccepted>(
        'POST',
        `/v1/servers/${encodeURIComponent(server.id)}/${action}?region=${encodeURIComponent(server.region)}`,
      );
      started(server, DOING[action], accepted);
    } catch (err) {
      setNotice({ text: `${server.name} did not ${action}: ${(err as Error).message}`, alert: true });
    }
  }

  function onAction(server: ListedServer, action: ServerAction): void {
    if (action === 'capture' || action === 'terminate') setDialog({ action, server });
    else void power(server, action);
  }

  return (
    <section aria-labelledby="servers-title">
      <h1 id="servers-title">Servers</h1>
      <form
        class="toolbar"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          setFilter({ ...filter, name: search.trim() });
        }}
      >
        <div>
          <label for="servers-name">Name contains</label>
          <input
            id="servers-name"
            type="search"
            maxLength={255}
            value={search}
            onInput={(e) => setSearch(e.currentTarget.value)}
          />
        </div>
        <button type="submit">Search</button>
        <div>
          <label for="servers-state">State</label>
          <select
            id="servers-state"
            value={filter.state}
            onChange={(e) => setFilter({ ...filter, state: e.currentTarget.value })}
          >
            {STATES.map((state) => (
              <option value={state}>{state || 'any'}</option>
            ))}
          </select>
        </div>
        <label class="choice">
          <input
            type="checkbox"
            checked={filter.allRegions}
            onChange={(e) => setFilter({ ...filter, allRegions: e.currentTarget.checked })}
          />
          All regions
        </label>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </form>
      <NoticeLine notice={notice} />
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {servers?.length === 0 && <p class="hint">No servers here: launch one from the Images page.</p>}
      {servers && servers.length > 0 && (
        <table class="servers">
          <thead>
            <tr>
              <th scope="col">Server</th>
              <th scope="col">State</th>
              <th scope="col">Image</th>
              <th scope="col">Launch</th>
              <th scope="col">Group</th>
              <th scope="col">Billing code</th>
              <th scope="col">Addresses</th>
              <th scope="col">Age</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {servers.map((server) => {
              const doing = operations.doing(server.id);
              return (
                <tr key={server.id} data-server-id={server.id}>
                  <td>
                    {server.name}
                    <br />
                    <span class="hint">
                      {server.id}
                      {filter.allRegions && ` · ${server.region}`}
                    </span>
                  </td>
                  <td class={`state-${server.state}`}>{doing ? `${server.state}, ${doing}…` : server.state}</td>
                  <td>
                    <code>{server.imageId}</code>
                  </td>
                  <td>
                    {server.launchId ? (
                      <a href={`#/launches/${encodeURIComponent(server.launchId)}`} title={server.launchId}>
                        {shortId(server.launchId)}
                      </a>
                    ) : (
                      ''
                    )}
                  </td>
                  <td>{server.tags.group ?? ''}</td>
                  <td>{server.tags['billing-code'] ?? ''}</td>
                  <td>{[server.publicIp, server.privateIp].filter(Boolean).join(' · ')}</td>
                  <td title={new Date(server.createdAt).toLocaleString()}>{age(server.createdAt)}</td>
                  <td class="row-actions">
                    <ActionMenu
                      id={`server-actions-${server.id}`}
                      subject={server.name}
                      items={doing ? [] : serverActions(server)}
                      open={open === server.id}
                      onOpen={() => setOpen(server.id)}
                      onClose={() => setOpen(undefined)}
                      onChoose={(action) => onAction(server, action)}
                    />
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <button type="button" onClick={() => void more()}>
          More
        </button>
      )}
      {dialog?.action === 'capture' && (
        <CaptureDialog
          server={dialog.server}
          onClose={() => setDialog(undefined)}
          onStarted={(accepted, name) => {
            setDialog(undefined);
            started(dialog.server, `capturing ${name}`, accepted);
          }}
        />
      )}
      {dialog?.action === 'terminate' && (
        <TerminateDialog
          server={dialog.server}
          onClose={() => setDialog(undefined)}
          onTerminating={(accepted) => {
            setDialog(undefined);
            started(dialog.server, DOING.terminate, accepted);
          }}
        />
      )}
    </section>
  );
}

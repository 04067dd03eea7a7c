import { useState } from 'preact/hooks';
import { api } from '../api';
import { ActionMenu } from '../components/action-menu';
import { NoticeLine, type Notice } from '../components/notice';
import { usePagedList } from '../components/paged-list';
import type { FirewallRule, ListedFirewall } from '../types';
import { CreateFirewallDialog } from './firewall-create-dialog';
import { DeleteFirewallDialog } from './firewall-delete-dialog';
import { AddRuleDialog } from './firewall-rule-dialog';
import { ruleText } from './firewall-rules';

// Firewalls of the region the key may use, with their inbound rules: create one, add a rule, remove a rule (its
// button beside it), delete a firewall (refused while servers are in it, with the servers named).

type Dialog = { action: 'create' } | { action: 'add-rule' | 'delete'; firewall: ListedFirewall };
type FirewallAction = 'add-rule' | 'delete';

const ACTIONS = [
  { action: 'add-rule' as const, label: 'Add rule' },
  { action: 'delete' as const, label: 'Delete' },
];

export function FirewallsPage({ region }: { region: string }) {
  const [open, setOpen] = useState<string>();
  const [dialog, setDialog] = useState<Dialog>();
  const [notice, setNotice] = useState<Notice>();
  const {
    items: firewalls,
    setItems: setFirewalls,
    nextCursor,
    problem,
    more,
    reload,
  } = usePagedList<ListedFirewall>('/v1/firewalls', { region, limit: '50' }, [region]);

  /** Puts the firewall's new rules in its row, where it was. */
  const replace = (changed: ListedFirewall) =>
    setFirewalls((current) => current?.map((f) => (f.id === changed.id ? changed : f)));

  async function removeRule(firewall: ListedFirewall, rule: FirewallRule): Promise<void> {
    try {
      replace(
        await api<ListedFirewall>(
          'DELETE',
          `/v1/firewalls/${encodeURIComponent(firewall.id)}/rules?region=${encodeURIComponent(firewall.region)}`,
          { rules: [rule] },
        ),
      );
      setNotice({ text: `${firewall.name}: removed ${ruleText(rule)}.` });
    } catch (err) {
      setNotice({
        text: `${firewall.name}: ${ruleText(rule)} was not removed: ${(err as Error).message}`,
        alert: true,
      });
    }
  }

  return (
    <section aria-labelledby="firewalls-title">
      <h1 id="firewalls-title">Firewalls</h1>
      <div class="toolbar">
        <button type="button" class="primary" onClick={() => setDialog({ action: 'create' })}>
          Create firewall
        </button>
        <button type="button" onClick={reload}>
          Refresh
        </button>
      </div>
      <NoticeLine notice={notice} />
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      {firewalls?.length === 0 && <p class="hint">No firewalls here: create one, or let a launch make one.</p>}
      {firewalls && firewalls.length > 0 && (
        <table class="firewalls">
          <thead>
            <tr>
              <th scope="col">Firewall</th>
              <th scope="col">Group</th>
              <th scope="col">Inbound rules</th>
              <th scope="col">
                <span class="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {firewalls.map((firewall) => (
              <tr key={firewall.id} data-firewall-id={firewall.id}>
                <td>
                  {firewall.name}
                  <br />
                  <span class="hint">
                    {firewall.id}
                    {firewall.description && ` · ${firewall.description}`}
                  </span>
                </td>
                <td>{firewall.tags.group ?? 'shared'}</td>
                <td>
                  {firewall.rules.length === 0 && <span class="hint">none: nothing gets in</span>}
                  <ul class="rules">
                    {firewall.rules.map((rule) => (
                      <li>
                        <code>{ruleText(rule)}</code>{' '}
                        <button
                          type="button"
                          class="link"
                          aria-label={`Remove ${ruleText(rule)} from ${firewall.name}`}
                          onClick={() => void removeRule(firewall, rule)}
                        >
                          Remove
                        </button>
                      </li>
                    ))}
                  </ul>
                </td>
                <td class="row-actions">
                  <ActionMenu<FirewallAction>
                    id={`firewall-actions-${firewall.id}`}
                    subject={firewall.name}
                    items={ACTIONS}
                    open={open === firewall.id}
                    onOpen={() => setOpen(firewall.id)}
                    onClose={() => setOpen(undefined)}
                    onChoose={(action) => setDialog({ action, firewall })}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {nextCursor && (
        <button type="button" onClick={() => void more()}>
          More
        </button>
      )}
      {dialog?.action === 'create' && (
        <CreateFirewallDialog
          region={region}
          onClose={() => setDialog(undefined)}
          onCreated={(firewall) => {
            setDialog(undefined);
            setNotice({ text: `Created ${firewall.name} (${firewall.id}).` });
            reload();
          }}
        />
      )}
      {dialog?.action === 'add-rule' && (
        <AddRuleDialog
          firewall={dialog.firewall}
          onClose={() => setDialog(undefined)}
          onChanged={(firewall) => {
            setDialog(undefined);
            replace(firewall);
            setNotice({ text: `${firewall.name}: rule added.` });
          }}
        />
      )}
      {dialog?.action === 'delete' && (
        <DeleteFirewallDialog
          firewall={dialog.firewall}
          onClose={() => setDialog(undefined)}
          onDeleted={() => {
            setNotice({ text: `Deleted ${dialog.firewall.name}.` });
            setDialog(undefined);
            reload();
          }}
        />
      )}
    </section>
  );
}

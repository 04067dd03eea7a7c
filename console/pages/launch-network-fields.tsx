import { FieldError } from '../components/field-error';
import { Field, GroupError, idOf } from './launch-field';
import type { SectionProps } from './launch-choices';
import { PROTOCOLS, type LaunchForm, type RuleRow } from './launch-form';
import { WHY_NOT } from './launch-limits';

// How the server is reached: firewalls (existing ones, or a new one with rules) and the key pair to log in with
// (an existing one, or a new one whose private key the launch page offers once).

function Choice<K extends keyof LaunchForm>({
  name,
  field,
  value,
  label,
  form,
  update,
}: { name: string; field: K; value: LaunchForm[K]; label: string } & Pick<SectionProps, 'form' | 'update'>) {
  return (
    <label class="choice">
      <input
        type="radio"
        name={name}
        checked={form[field] === value}
        onChange={() => update({ [field]: value } as Partial<LaunchForm>)}
      />
      {label}
    </label>
  );
}

export function FirewallFields({ form, update, errors, choices, capabilities }: SectionProps) {
  const setRule = (i: number, change: Partial<RuleRow>) =>
    update({ rules: form.rules.map((rule, j) => (j === i ? { ...rule, ...change } : rule)) });
  return (
    <fieldset>
      <legend>Firewall</legend>
      <Choice name="firewall" field="firewall" value="none" label="None" form={form} update={update} />
      <Choice
        name="firewall"
        field="firewall"
        value="existing"
        label="Existing firewalls"
        form={form}
        update={update}
      />
      <Choice
        name="firewall"
        field="firewall"
        value="create"
        label="New firewall with rules"
        form={form}
        update={update}
      />
      <GroupError path="firewall" errors={errors} />
      {form.firewall === 'existing' && (
        <div
          role="group"
          aria-label="Firewalls"
          aria-describedby={errors['firewall.ids'] ? `${idOf('firewall.ids')}-error` : undefined}
        >
          {choices?.firewalls.length === 0 && (
            <p class="hint">No firewalls you may use in {form.region}: create one instead.</p>
          )}
          {choices?.firewalls.map((firewall) => (
            <label class="choice">
              <input
                type="checkbox"
                checked={form.firewallIds.includes(firewall.id)}
                onChange={(e) =>
                  update({
                    firewallIds: e.currentTarget.checked
                      ? [...form.firewallIds, firewall.id]
                      : form.firewallIds.filter((id) => id !== firewall.id),
                  })
                }
              />
              {firewall.name} ({firewall.id})
            </label>
          ))}
          <FieldError id={idOf('firewall.ids')} error={errors['firewall.ids']} />
        </div>
      )}
      {form.firewall === 'create' && (
        <>
          {capabilities?.ipv6Firewall === false && (
            <p class="hint" id="launch-firewall-ipv4-only">
              {WHY_NOT.ipv6Firewall}
            </p>
          )}
          {form.rules.map((rule, i) => {
            const at = `firewall.create.rules.${i}`;
            return (
              <div class="rule-row" role="group" aria-label={`Rule ${i + 1}`}>
                <Field path={`${at}.protocol`} label="Protocol" errors={errors}>
                  {(props) => (
                    <select
                      {...props}
                      value={rule.protocol}
                      onChange={(e) => setRule(i, { protocol: e.currentTarget.value as RuleRow['protocol'] })}
                    >
                      {PROTOCOLS.map((p) => (
                        <option value={p}>{p}</option>
                      ))}
                    </select>
                  )}
                </Field>
                <Field path={`${at}.fromPort`} label="From port" errors={errors}>
                  {(props) => (
                    <input
                      {...props}
                      inputMode="numeric"
                      value={rule.fromPort}
                      onInput={(e) => setRule(i, { fromPort: e.currentTarget.value })}
                    />
                  )}
                </Field>
                <Field path={`${at}.toPort`} label="To port" errors={errors}>
                  {(props) => (
                    <input
                      {...props}
                      inputMode="numeric"
                      value={rule.toPort}
                      onInput={(e) => setRule(i, { toPort: e.currentTarget.value })}
                    />
                  )}
                </Field>
                <Field path={`${at}.cidr`} label="From addresses (CIDR)" errors={errors}>
                  {(props) => (
                    <input
                      {...props}
                      value={rule.cidr}
                      placeholder="203.0.113.0/24"
                      onInput={(e) => setRule(i, { cidr: e.currentTarget.value })}
                    />
                  )}
                </Field>
                <button
                  type="button"
                  aria-label={`Remove rule ${i + 1}`}
                  onClick={() => update({ rules: form.rules.filter((_, j) => j !== i) })}
                >
                  Remove
                </button>
              </div>
            );
          })}
          <button
            type="button"
            onClick={() =>
              update({ rules: [...form.rules, { protocol: 'tcp', fromPort: '22', toPort: '22', cidr: '' }] })
            }
          >
            Add rule
          </button>
        </>
      )}
    </fieldset>
  );
}

export function KeypairFields({ form, update, errors, choices }: SectionProps) {
  return (
    <fieldset>
      <legend>Key pair</legend>
      <Choice name="keypair" field="keypair" value="none" label="None" form={form} update={update} />
      <Choice name="keypair" field="keypair" value="existing" label="Existing key pair" form={form} update={update} />
      <Choice name="keypair" field="keypair" value="create" label="Create a key pair" form={form} update={update} />
      <GroupError path="keypair" errors={errors} />
      {form.keypair === 'existing' && (
        <Field path="keypair.name" label="Key pair name" errors={errors}>
          {(props) => (
            <select
              {...props}
              value={form.keypairName}
              onChange={(e) => update({ keypairName: e.currentTarget.value })}
            >
              <option value="">Choose a key pair</option>
              {choices?.keypairs.map((k) => (
                <option value={k.name}>{k.name}</option>
              ))}
            </select>
          )}
        </Field>
      )}
      {form.keypair === 'create' && (
        <p class="hint">The launch page offers the private key once, when the key pair is made.</p>
      )}
    </fieldset>
  );
}

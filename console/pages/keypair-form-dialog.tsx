import { useState } from 'preact/hooks';
import { api } from '../api';
import { FieldError, fieldErrorsOf, fieldProps } from '../components/field-error';
import { ModalDialog } from '../components/modal-dialog';
import type { CreatedKeypair } from '../types';
import { KeypairPrivateKey } from './keypair-private-key';

// Create a key pair (the cloud makes it; its private key is shown once, here) or import one (paste a public key):
// both POST /v1/keypairs, the import with publicKey.

interface Props {
  mode: 'create' | 'import';
  region: string;
  onClose: () => void;
  /** Called once the key pair exists; a created one's dialog stays open to hand out its private key. */
  onMade: (keypair: CreatedKeypair) => void;
}

export function KeypairFormDialog({ mode, region, onClose, onMade }: Props) {
  const [form, setForm] = useState({ name: '', group: '', publicKey: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const [created, setCreated] = useState<{ name: string; pem: string }>();

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const name = form.name.trim();
    if (!name) return setErrors({ name: 'give the key pair a name' });
    if (mode === 'import' && !form.publicKey.trim())
      return setErrors({ publicKey: 'paste the public key (the .pub file), one line' });
    setBusy(true);
    setErrors({});
    try {
      const keypair = await api<CreatedKeypair>('POST', '/v1/keypairs', {
        region,
        name,
        ...(form.group.trim() ? { group: form.group.trim() } : {}),
        ...(mode === 'import' ? { publicKey: form.publicKey.trim() } : {}),
      });
      onMade(keypair);
      if (keypair.privateKey) setCreated({ name: keypair.name, pem: keypair.privateKey });
      else onClose();
    } catch (err) {
      setErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  }

  const title = mode === 'create' ? `Create a key pair in ${region}` : `Import a key pair into ${region}`;
  if (created)
    return (
      <ModalDialog title={title} onClose={onClose}>
        <KeypairPrivateKey keypairName={created.name} pem={created.pem} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            Close
          </button>
        </div>
      </ModalDialog>
    );
  return (
    <ModalDialog title={title} onClose={onClose} busy={busy}>
      <form onSubmit={submit} class="keypair-form">
        <label for="keypair-name">Key pair name</label>
        <input
          {...fieldProps('keypair-name', errors.name)}
          value={form.name}
          maxLength={255}
          onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
        />
        <FieldError id="keypair-name" error={errors.name} />
        <label for="keypair-group">Group (optional)</label>
        <input
          {...fieldProps('keypair-group', errors.group)}
          value={form.group}
          maxLength={64}
          onInput={(e) => setForm({ ...form, group: e.currentTarget.value })}
        />
        <p class="hint">Empty: your only group (an admin’s: the account’s, shared by every group).</p>
        <FieldError id="keypair-group" error={errors.group} />
        {mode === 'import' && (
          <>
            <label for="keypair-public-key">Public key</label>
            <textarea
              {...fieldProps('keypair-public-key', errors.publicKey)}
              rows={4}
              maxLength={8192}
              spellcheck={false}
              placeholder="ssh-ed25519 AAAA… you@laptop"
              value={form.publicKey}
              onInput={(e) => setForm({ ...form, publicKey: e.currentTarget.value })}
            />
            <p class="hint">
              One line of an OpenSSH public key (the .pub file): ed25519, ECDSA, or RSA of 2048 bits or more.
            </p>
            <FieldError id="keypair-public-key" error={errors.publicKey} />
          </>
        )}
        <FieldError id="keypair-form" error={errors[''] ?? errors.region} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            {mode === 'create' ? 'Create' : 'Import'}
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}

import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import { FieldError, fieldErrorsOf, fieldProps } from '../components/field-error';
import { ModalDialog } from '../components/modal-dialog';
import type { Image } from '../types';

// Who else may launch an own image (GET/POST/DELETE /v1/images/:id/shares): accounts by id, each revocable, and
// public for everyone, which only an admin may grant or take back; others see why the button is not there.

interface Shares {
  accounts: string[];
  public: boolean;
}

interface Props {
  image: Image;
  region: string;
  onClose: () => void;
}

interface Context {
  shares: Shares;
  role: string;
  /** How the cloud spells an account id; absent when it cannot share. */
  accountHint?: string;
}

/** Account ids as typed: separated by commas, spaces or new lines. */
const accountsIn = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

export function ShareImageDialog({ image, region, onClose }: Props) {
  const path = `/v1/images/${encodeURIComponent(image.id)}/shares?region=${encodeURIComponent(region)}`;
  const [context, setContext] = useState<Context>();
  const [accounts, setAccounts] = useState('');
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    Promise.all([
      api<Shares>('GET', path),
      api<{ role: string }>('POST', '/v1/session'),
      api<{ imageSharing?: { account: { hint: string } } }>(
        'GET',
        `/v1/capabilities?region=${encodeURIComponent(region)}`,
      ),
    ]).then(
      ([shares, session, capabilities]) =>
        setContext({ shares, role: session.role, accountHint: capabilities.imageSharing?.account.hint }),
      (err: unknown) => setErrors(fieldErrorsOf(err)),
    );
  }, [path, region]);

  async function change(method: 'POST' | 'DELETE', body: { accounts?: string[]; public?: boolean }): Promise<void> {
    setBusy(true);
    setErrors({});
    try {
      const shares = await api<Shares>(method, path, body);
      setContext((current) => current && { ...current, shares });
      if (method === 'POST' && body.accounts) setAccounts('');
    } catch (err) {
      setErrors(fieldErrorsOf(err));
    } finally {
      setBusy(false);
    }
  }

  function share(event: Event): void {
    event.preventDefault();
    const ids = accountsIn(accounts);
    if (ids.length === 0) return setErrors({ accounts: 'type one or more account ids' });
    void change('POST', { accounts: ids });
  }

  const admin = context?.role === 'admin';
  // The API names a bad id by its place (`accounts.1`); beside the one field, each message says which id it was.
  const accountsError = Object.entries(errors)
    .filter(([field]) => field === 'accounts' || field.startsWith('accounts.'))
    .map(([, message]) => message)
    .join('; ');

  return (
    <ModalDialog title={`Share ${image.name}`} onClose={onClose} busy={busy}>
      {!context ? (
        <p class="hint" role="status">
          Reading the image’s shares…
        </p>
      ) : (
        <form onSubmit={share}>
          <h3>Shared with</h3>
          {context.shares.accounts.length === 0 && !context.shares.public ? (
            <p class="hint">No other account may launch this image.</p>
          ) : (
            <ul class="shares" aria-label="Accounts that may launch this image">
              {context.shares.public && (
                <li>
                  <span>Everyone (public)</span>
                  {admin && (
                    <button type="button" disabled={busy} onClick={() => void change('DELETE', { public: true })}>
                      Make private
                    </button>
                  )}
                </li>
              )}
              {context.shares.accounts.map((account) => (
                <li>
                  <code>{account}</code>
                  <button
                    type="button"
                    disabled={busy}
                    aria-label={`Revoke ${account}`}
                    onClick={() => void change('DELETE', { accounts: [account] })}
                  >
                    Revoke
                  </button>
                </li>
              ))}
            </ul>
          )}
          <label for="share-accounts">Add accounts</label>
          <input
            {...fieldProps('share-accounts', accountsError || undefined)}
            value={accounts}
            placeholder="account ids, separated by commas"
            onInput={(e) => setAccounts(e.currentTarget.value)}
          />
          {context.accountHint && <p class="hint">{context.accountHint}.</p>}
          <FieldError id="share-accounts" error={accountsError || undefined} />
          {!context.shares.public &&
            (admin ? (
              <button type="button" disabled={busy} onClick={() => void change('POST', { public: true })}>
                Make public
              </button>
            ) : (
              <p class="hint">
                Making an image public lets every account of the cloud launch it, so only an admin may; you are{' '}
                {context.role === 'operator' ? 'an operator' : `a ${context.role}`}.
              </p>
            ))}
          <FieldError id="share-form" error={errors[''] ?? errors.public} />
          <div class="dialog-actions">
            <button type="button" onClick={onClose}>
              Close
            </button>
            <button type="submit" class="primary" disabled={busy}>
              Share
            </button>
          </div>
        </form>
      )}
      {!context && <FieldError id="share-form" error={errors['']} />}
    </ModalDialog>
  );
}

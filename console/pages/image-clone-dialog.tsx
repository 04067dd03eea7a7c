import type { z } from 'zod';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { CloneRequestSchema } from '../../domain/images';
import { api } from '../api';
import { FieldError, fieldErrorsOf, fieldProps } from '../components/field-error';
import { newIdempotencyKey } from '../components/idempotency-key';
import { ModalDialog } from '../components/modal-dialog';
import type { Image, OperationAccepted } from '../types';
import { defaultCharge, useBillingChoice } from './billing-choice';
import { ChargeFields } from './charge-fields';

// Clone an image into a private one of ours (POST /v1/images/:id/clone): a name, and whom the temporary server is
// charged to; empty group and code leave the API's defaults.

type CloneBody = z.input<typeof CloneRequestSchema>;

interface Props {
  image: Image;
  region: string;
  onClose: () => void;
  onStarted: (operation: OperationAccepted, name: string) => void;
}

export function CloneDialog({ image, region, onClose, onStarted }: Props) {
  const billing = useBillingChoice();
  const [form, setForm] = useState({ name: `${image.name}-clone`, group: '', billingCode: '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey()).current;

  useEffect(() => {
    // Only fill what the person has not typed yet.
    if (billing)
      setForm((current) =>
        current.group || current.billingCode ? current : { ...current, ...defaultCharge(billing) },
      );
  }, [billing]);

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const name = form.name.trim();
    if (name.length < 1 || name.length > 128)
      return setErrors({ name: 'give the new image a name of 1 to 128 characters' });
    const body: CloneBody = {
      region,
      name,
      ...(form.group ? { group: form.group } : {}),
      ...(form.billingCode ? { billingCode: form.billingCode } : {}),
    };
    setBusy(true);
    try {
      onStarted(
        await api<OperationAccepted>('POST', `/v1/images/${encodeURIComponent(image.id)}/clone`, body, {
          'idempotency-key': key,
        }),
        name,
      );
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      setBusy(false);
    }
  }

  return (
    <ModalDialog title={`Clone ${image.name}`} onClose={onClose}>
      <form onSubmit={submit}>
        <p class="hint">
          A temporary server is launched from the image, captured into a new private image, and removed.
        </p>
        <label for="clone-name">New image name</label>
        <input
          {...fieldProps('clone-name', errors.name)}
          value={form.name}
          onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
        />
        <FieldError id="clone-name" error={errors.name} />
        <ChargeFields
          idPrefix="clone"
          value={form}
          billing={billing}
          errors={errors}
          onChange={(change) => setForm({ ...form, ...change })}
          placeholder="image-builds"
        />
        <FieldError id="clone-form" error={errors['']} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Clone
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}

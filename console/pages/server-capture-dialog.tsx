import { useRef, useState } from 'preact/hooks';
import { api } from '../api';
import { useCapabilities } from '../capabilities';
import { FieldError, fieldErrorsOf, fieldProps } from '../components/field-error';
import { newIdempotencyKey } from '../components/idempotency-key';
import { ModalDialog } from '../components/modal-dialog';
import type { ListedServer, OperationAccepted } from '../types';

// Capture an image from a server (POST /v1/images): a name, and whether to stop the server for a consistent disk.
// What the cloud can image decides what is offered: one that images only stopped servers always stops it first.

interface Props {
  server: ListedServer;
  onClose: () => void;
  onStarted: (operation: OperationAccepted, name: string) => void;
}

const today = () => new Date().toISOString().slice(0, 10);

export function CaptureDialog({ server, onClose, onStarted }: Props) {
  const [form, setForm] = useState({ name: `${server.name}-${today()}`, description: '', reboot: false });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const key = useRef(newIdempotencyKey()).current;

  // Until the capabilities are known (or if they cannot be read) the API decides, and says why if it refuses.
  const captureFrom = useCapabilities(server.region)?.captureFrom;
  // A running server the cloud cannot image as it is: it is stopped first, and started again after.
  const mustStop = server.state === 'running' && captureFrom !== undefined && !captureFrom.includes('running');

  async function submit(event: Event): Promise<void> {
    event.preventDefault();
    const name = form.name.trim();
    if (name.length < 1 || name.length > 128)
      return setErrors({ name: 'give the image a name of 1 to 128 characters' });
    setBusy(true);
    try {
      const accepted = await api<OperationAccepted>(
        'POST',
        '/v1/images',
        {
          region: server.region,
          serverId: server.id,
          name,
          ...(form.description.trim() ? { description: form.description.trim() } : {}),
          reboot: mustStop || form.reboot,
        },
        { 'idempotency-key': key },
      );
      onStarted(accepted, name);
    } catch (err) {
      setErrors(fieldErrorsOf(err));
      setBusy(false);
    }
  }

  return (
    <ModalDialog title={`Capture an image of ${server.name}`} onClose={onClose}>
      <form onSubmit={submit}>
        <label for="capture-name">Image name</label>
        <input
          {...fieldProps('capture-name', errors.name)}
          value={form.name}
          maxLength={128}
          onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
        />
        <FieldError id="capture-name" error={errors.name} />
        <label for="capture-description">Description (optional)</label>
        <input
          {...fieldProps('capture-description', errors.description)}
          value={form.description}
          maxLength={255}
          onInput={(e) => setForm({ ...form, description: e.currentTarget.value })}
        />
        <FieldError id="capture-description" error={errors.description} />
        {server.state === 'running' && (
          <label class="choice">
            <input
              id="capture-reboot"
              type="checkbox"
              checked={mustStop || form.reboot}
              disabled={mustStop}
              onChange={(e) => setForm({ ...form, reboot: e.currentTarget.checked })}
            />{' '}
            Stop the server for a consistent disk, and start it again after
          </label>
        )}
        {mustStop && (
          <p class="hint" id="capture-reboot-why">
            This cloud images stopped servers only: the server is stopped first and started again after.
          </p>
        )}
        <FieldError id="capture-form" error={errors['']} />
        <div class="dialog-actions">
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={busy}>
            Capture
          </button>
        </div>
      </form>
    </ModalDialog>
  );
}

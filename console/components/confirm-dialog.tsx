import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ModalDialog } from './modal-dialog';

// Deleting and terminating are for good, so they ask first; the API's refusal (409 while something depends on the
// thing, naming what) stays in the dialog to read, and the button can be pressed again.

interface Props {
  title: string;
  /** The danger button's text: "Delete firewall", "Terminate server". */
  confirmLabel: string;
  /** Sends the request and hands its answer on; a rejection is shown as the refusal. */
  onConfirm: () => Promise<void>;
  onClose: () => void;
  /** What goes, and anything to choose before it goes. */
  children: ComponentChildren;
}

export function ConfirmDialog({ title, confirmLabel, onConfirm, onClose, children }: Props) {
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function confirm(): Promise<void> {
    setBusy(true);
    setProblem(undefined);
    try {
      await onConfirm();
    } catch (err) {
      setProblem((err as Error).message);
      setBusy(false);
    }
  }

  return (
    <ModalDialog title={title} onClose={onClose} busy={busy}>
      {children}
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
      <div class="dialog-actions">
        <button type="button" onClick={onClose}>
          Cancel
        </button>
        <button type="button" class="danger" disabled={busy} onClick={() => void confirm()}>
          {confirmLabel}
        </button>
      </div>
    </ModalDialog>
  );
}

import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';

let dialogs = 0;

/**
 * A modal <dialog>: shown on mount with focus on its first field, closed by Escape (the browser's) or by the owner
 * unmounting it; focus goes back to where it was, so a keyboard user stays in place.
 */
export function ModalDialog({
  title,
  onClose,
  busy = false,
  children,
}: {
  title: string;
  onClose: () => void;
  busy?: boolean;
  children: ComponentChildren;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useRef(`dialog-title-${++dialogs}`).current;
  useEffect(() => {
    const dialog = ref.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : undefined;
    dialog.showModal();
    dialog.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
    // Unmounting an open modal takes it out of the top layer; no close() here, or `close` would call onClose again.
    return () => {
      if (opener?.isConnected) opener.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      aria-busy={busy}
      // While a request is out, Escape must not make it look undone: what it starts happens all the same.
      onCancel={(event) => busy && event.preventDefault()}
      onClose={onClose}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
    </dialog>
  );
}

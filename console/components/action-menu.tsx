import { useEffect, useRef } from 'preact/hooks';
import { useDismiss } from './dismiss';

// A row's green action button and its menu: the row holds only the button; the menu exists while it is open.

export interface MenuItem<A extends string> {
  action: A;
  label: string;
}

interface Props<A extends string> {
  /** The button's id: focus goes back to it when the menu closes by Escape. */
  id: string;
  /** Whose actions, for screen readers: "Actions for web-1". */
  subject: string;
  items: MenuItem<A>[];
  open: boolean;
  onOpen: () => void;
  onClose: () => void;
  onChoose: (action: A) => void;
}

export function ActionMenu<A extends string>({ id, subject, items, open, onOpen, onClose, onChoose }: Props<A>) {
  return (
    <>
      <button
        id={id}
        type="button"
        class="action"
        aria-label={`Actions for ${subject}`}
        aria-haspopup="menu"
        aria-expanded={open}
        disabled={items.length === 0}
        onClick={() => (open ? onClose() : onOpen())}
      >
        Actions ▾
      </button>
      {open && <Menu id={id} subject={subject} items={items} onClose={onClose} onChoose={onChoose} />}
    </>
  );
}

function Menu<A extends string>({
  id,
  subject,
  items,
  onClose,
  onChoose,
}: Pick<Props<A>, 'id' | 'subject' | 'items' | 'onClose' | 'onChoose'>) {
  const menu = useRef<HTMLDivElement>(null);
  useDismiss(menu, onClose, () => document.getElementById(id));
  useEffect(() => {
    menu.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
  }, []);

  // Arrow keys move between the items, as in any menu.
  function onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const buttons = [...(menu.current?.querySelectorAll<HTMLElement>('[role=menuitem]') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    buttons[(at + (event.key === 'ArrowDown' ? 1 : buttons.length - 1)) % buttons.length]?.focus();
  }

  return (
    <div ref={menu} class="menu" role="menu" aria-label={`Actions for ${subject}`} onKeyDown={onKeyDown}>
      {items.map((item) => (
        <button
          type="button"
          role="menuitem"
          onClick={() => {
            onClose();
            onChoose(item.action);
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}

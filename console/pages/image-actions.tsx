import { useEffect, useRef } from 'preact/hooks';
import { useDismiss } from '../components/dismiss';
import type { Image } from '../types';
import { whyUnavailable, type ImageCapabilities } from './image-capabilities';

// The green action button of a row and its menu. Public images, and other accounts' images shared with ours, can
// only be launched and cloned: the API refuses to change them (clone first). The row holds only the button; the
// menu exists while it is open.

export type ImageAction = 'launch' | 'clone' | 'share' | 'deprecate' | 'delete';

const LABELS: Record<ImageAction, string> = {
  launch: 'Launch',
  clone: 'Clone',
  share: 'Share',
  deprecate: 'Deprecate',
  delete: 'Delete',
};

export function actionsFor(image: Image): ImageAction[] {
  if (image.visibility === 'public' || image.visibility === 'shared') return ['launch', 'clone'];
  return image.state === 'deprecated'
    ? ['launch', 'clone', 'share', 'delete']
    : ['launch', 'clone', 'share', 'deprecate', 'delete'];
}

interface Props {
  image: Image;
  open: boolean;
  onOpen: () => void;
  onClose: () => void;
  onChoose: (action: ImageAction) => void;
  capabilities?: ImageCapabilities | undefined;
}

export function ImageActions({ image, open, onOpen, onClose, onChoose, capabilities }: Props) {
  return (
    <>
      <button
        id={`actions-${image.id}`}
        type="button"
        class="action"
        aria-label={`Actions for ${image.name}`}
        aria-haspopup="menu"
        aria-expanded={open}
        onClick={() => (open ? onClose() : onOpen())}
      >
        Actions ▾
      </button>
      {open && <ActionMenu image={image} onClose={onClose} onChoose={onChoose} capabilities={capabilities} />}
    </>
  );
}

function ActionMenu({ image, onClose, onChoose, capabilities }: Omit<Props, 'open' | 'onOpen'>) {
  const menu = useRef<HTMLDivElement>(null);
  useDismiss(menu, onClose, () => document.getElementById(`actions-${image.id}`));
  useEffect(() => {
    menu.current?.querySelector<HTMLElement>('[role=menuitem]')?.focus();
  }, []);

  // Arrow keys move between the items, as in any menu.
  function onKeyDown(event: KeyboardEvent): void {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role=menuitem]') ?? [])];
    const at = items.indexOf(document.activeElement as HTMLElement);
    items[(at + (event.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
  }

  return (
    <div ref={menu} class="menu" role="menu" aria-label={`Actions for ${image.name}`} onKeyDown={onKeyDown}>
      {actionsFor(image).map((action) => (
        <button
          type="button"
          role="menuitem"
          // Unavailable on this cloud: still listed, so the reason can be read, but it does nothing.
          aria-disabled={whyUnavailable(action, capabilities) ? 'true' : undefined}
          title={whyUnavailable(action, capabilities)}
          onClick={() => {
            if (whyUnavailable(action, capabilities)) return;
            onClose();
            onChoose(action);
          }}
        >
          {LABELS[action]}
        </button>
      ))}
    </div>
  );
}

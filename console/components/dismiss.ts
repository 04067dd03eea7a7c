import type { RefObject } from 'preact';
import { useEffect } from 'preact/hooks';

/** A popup (menu, palette) closes on Escape, giving focus back to its opener, and on a press anywhere outside it; for as long as it is mounted. */
export function useDismiss(popup: RefObject<HTMLElement>, close: () => void, opener?: () => HTMLElement | null): void {
  useEffect(() => {
    const onPointer = (event: PointerEvent) => {
      const target = event.target as Node;
      if (!popup.current?.contains(target) && !opener?.()?.contains(target)) close();
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      event.preventDefault();
      close();
      opener?.()?.focus();
    };
    document.addEventListener('pointerdown', onPointer);
    document.addEventListener('keydown', onKey);
    return () => {
      document.removeEventListener('pointerdown', onPointer);
      document.removeEventListener('keydown', onKey);
    };
  }, []);
}

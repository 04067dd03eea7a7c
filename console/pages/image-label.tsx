import { useEffect, useRef, useState } from 'preact/hooks';
import { useDismiss } from '../components/dismiss';
import { LABEL_COLORS, type Image } from '../types';

// An own image's label colour: a swatch button that opens the original console's palette; `none` clears it.
// The row holds only the button; the palette, with its state, exists while it is open.

interface Props {
  image: Image;
  open: boolean;
  onOpen: () => void;
  onClose: () => void;
  onChoose: (color: string) => Promise<void>;
}

export function ImageLabel({ image, open, onOpen, onClose, onChoose }: Props) {
  if (image.visibility === 'public') return null;
  const color = image.labelColor || 'none';
  return (
    <>
      <button
        id={`label-${image.id}`}
        type="button"
        class="swatch"
        data-color={color}
        aria-label={`Label colour of ${image.name}: ${color}`}
        aria-expanded={open}
        onClick={() => (open ? onClose() : onOpen())}
      />
      {open && <LabelPalette swatchId={`label-${image.id}`} color={color} onClose={onClose} onChoose={onChoose} />}
    </>
  );
}

function LabelPalette({
  swatchId,
  color,
  onClose,
  onChoose,
}: { swatchId: string; color: string } & Pick<Props, 'onClose' | 'onChoose'>) {
  const palette = useRef<HTMLDivElement>(null);
  const [problem, setProblem] = useState<string>();
  const swatch = () => document.getElementById(swatchId);
  useDismiss(palette, onClose, swatch);
  useEffect(() => {
    palette.current?.querySelector<HTMLElement>('[aria-pressed="true"]')?.focus();
  }, []);

  async function choose(next: string): Promise<void> {
    try {
      await onChoose(next);
      onClose();
      swatch()?.focus();
    } catch (err) {
      setProblem((err as Error).message);
    }
  }

  return (
    <div ref={palette} class="palette" role="group" aria-label="Label colours">
      {LABEL_COLORS.map((c) => (
        <button
          type="button"
          class="swatch"
          data-color={c}
          aria-label={c}
          title={c === 'none' ? 'no label' : c}
          aria-pressed={c === color}
          onClick={() => void choose(c)}
        />
      ))}
      {problem && (
        <p class="field-error" role="alert">
          {problem}
        </p>
      )}
    </div>
  );
}

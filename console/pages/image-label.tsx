import { useEffect, useRef, useState } from 'preact/hooks';
import { useDismiss } from '../components/dismiss';
import { LABEL_COLORS, type Image } from '../types';
import { whyUnavailable, type ImageCapabilities } from './image-capabilities';

// An own image's label colour: a swatch button that opens the original console's palette; `none` clears it.
// The row holds only the button; the palette, with its state, exists while it is open.

interface Props {
  image: Image;
  open: boolean;
  onOpen: () => void;
  onClose: () => void;
  onChoose: (color: string) => Promise<void>;
  capabilities?: ImageCapabilities | undefined;
}

export function ImageLabel({ image, open, onOpen, onClose, onChoose, capabilities }: Props) {
  if (image.visibility === 'public') return null;
  const color = image.labelColor || 'none';
  const why = whyUnavailable('label', capabilities);
  return (
    <>
      <button
        id={`label-${image.id}`}
        type="button"
        class="swatch"
        data-color={color}
        aria-label={`Label colour of ${image.name}: ${color}`}
        aria-expanded={open}
        aria-disabled={why ? 'true' : undefined}
        title={why}
        onClick={() => (why ? undefined : open ? onClose() : onOpen())}
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

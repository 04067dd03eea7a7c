import { useEffect, useRef, useState } from 'preact/hooks';
import { FieldError, fieldErrorsOf, fieldProps } from '../components/field-error';
import type { Image } from '../types';

// An image's name in its row: on an own image a button (dashed brown underline) that turns into a text field.
// Enter saves, Escape cancels; the API's refusal shows beside the field, which stays open to correct it.

interface Props {
  image: Image;
  editing: boolean;
  onEdit: () => void;
  onDone: () => void;
  onRename: (name: string) => Promise<void>;
}

export function ImageName({ image, editing, onEdit, onDone, onRename }: Props) {
  const struck = image.state === 'deprecated' ? 'deprecated' : '';
  if (image.visibility === 'public') {
    return (
      <span class={struck} title={image.id}>
        {image.name}
      </span>
    );
  }
  if (!editing) {
    return (
      <button type="button" class={`name-edit ${struck}`} title={`Rename ${image.id}`} onClick={onEdit}>
        {image.name}
      </button>
    );
  }
  return <NameField image={image} onDone={onDone} onRename={onRename} />;
}

function NameField({ image, onDone, onRename }: Omit<Props, 'editing' | 'onEdit'>) {
  const [name, setName] = useState(image.name);
  const [saving, setSaving] = useState(false);
  const [problem, setProblem] = useState<string>();
  const input = useRef<HTMLInputElement>(null);
  const id = `rename-${image.id}`;
  useEffect(() => {
    input.current?.focus();
    input.current?.select();
  }, []);

  async function save(): Promise<void> {
    if (name === image.name) return onDone();
    setSaving(true);
    try {
      await onRename(name);
      onDone();
    } catch (err) {
      const errors = fieldErrorsOf(err);
      setProblem(errors.name ?? Object.values(errors).join('; '));
      setSaving(false);
    }
  }

  function onKeyDown(event: KeyboardEvent): void {
    if (event.key === 'Enter') {
      event.preventDefault();
      void save();
    } else if (event.key === 'Escape') {
      event.preventDefault();
      onDone();
    }
  }

  return (
    <span class="name-field">
      <input
        {...fieldProps(id, problem)}
        ref={input}
        aria-label={`New name for ${image.name}`}
        value={name}
        readOnly={saving}
        onInput={(e) => setName(e.currentTarget.value)}
        onKeyDown={onKeyDown}
      />
      <FieldError id={id} error={problem} />
    </span>
  );
}

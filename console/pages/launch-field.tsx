import type { ComponentChildren } from 'preact';
import { FieldError, fieldProps } from '../components/field-error';

// One labelled field of the launch dialog, its id taken from the request field it fills (volumes.raid →
// launch-volumes-raid), with that field's problem beside it.

export const idOf = (path: string) => `launch-${path.replaceAll('.', '-')}`;

interface Props {
  path: string;
  label: string;
  errors: Record<string, string>;
  children: (props: ReturnType<typeof fieldProps>) => ComponentChildren;
}

export function Field({ path, label, errors, children }: Props) {
  const id = idOf(path);
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(fieldProps(id, errors[path]))}
      <FieldError id={id} error={errors[path]} />
    </div>
  );
}

/** A problem of a whole group of fields (`firewall`, `volumes`), shown at the top of its fieldset. */
export function GroupError({ path, errors }: { path: string; errors: Record<string, string> }) {
  return <FieldError id={`${idOf(path)}-group`} error={errors[path]} />;
}

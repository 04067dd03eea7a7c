import { ApiProblem } from '../api';

// A field's problem, from the form's own check or from the API's answer, shown beside it and tied to its input so a
// screen reader announces it with the field.

/** The input's id, and while it has a problem: marked invalid and described by that problem. */
export function fieldProps(id: string, error: string | undefined) {
  return error ? { id, 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : { id };
}

export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <p id={`${id}-error`} class="field-error" role="alert">
      {error}
    </p>
  );
}

// Billing refusals name the code in words, not by field path; they belong beside the billing code all the same.
const BILLING_CODES = ['quota_exceeded', 'unknown_billing_code', 'billing_code_inactive'];

/** An API refusal as the form's errors: by field where the message names one, under '' (the form's) otherwise. */
export function fieldErrorsOf(err: unknown): Record<string, string> {
  if (!(err instanceof ApiProblem)) return { '': (err as Error).message };
  const fields = err.fields;
  if (BILLING_CODES.includes(err.code)) return { billingCode: fields.billingCode ?? err.message };
  return Object.keys(fields).length ? fields : { '': err.message };
}

/**
 * Puts each problem on the nearest field the form shows: `firewall.create.rules.0` goes to the rules when the form
 * has no field of that exact path; what has no field at all goes under '' (the form's).
 */
export function placeErrors(problems: Record<string, string>, fields: ReadonlySet<string>): Record<string, string> {
  const placed: Record<string, string> = {};
  for (const [path, message] of Object.entries(problems)) {
    let at = path;
    while (at && !fields.has(at)) at = at.includes('.') ? at.slice(0, at.lastIndexOf('.')) : '';
    placed[at] = placed[at] ? `${placed[at]}; ${message}` : message;
  }
  return placed;
}

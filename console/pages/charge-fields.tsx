import { FieldError, fieldProps } from '../components/field-error';
import type { BillingChoice } from './billing-choice';

// Group and billing code, as a launch and a clone ask for them: the code is a select of the usable codes when the
// service enforces them, free text when any code goes.

interface Props {
  idPrefix: string;
  value: { group: string; billingCode: string };
  billing: BillingChoice | undefined;
  errors: Record<string, string>;
  onChange: (change: { group?: string; billingCode?: string }) => void;
  /** Shown in empty fields when the API has a default (a clone's `image-builds`). */
  placeholder?: string;
}

export function ChargeFields({ idPrefix, value, billing, errors, onChange, placeholder }: Props) {
  const groupId = `${idPrefix}-group`;
  const codeId = `${idPrefix}-billing-code`;
  return (
    <>
      <div>
        <label for={groupId}>Group</label>
        <input
          {...fieldProps(groupId, errors.group)}
          value={value.group}
          placeholder={placeholder}
          onInput={(e) => onChange({ group: e.currentTarget.value })}
        />
        <FieldError id={groupId} error={errors.group} />
      </div>
      <div>
        <label for={codeId}>Billing code</label>
        {billing?.enforced ? (
          <select
            {...fieldProps(codeId, errors.billingCode)}
            value={value.billingCode}
            onChange={(e) => onChange({ billingCode: e.currentTarget.value })}
          >
            <option value="">Choose a billing code</option>
            {billing.usable.map((code) => (
              <option value={code.code}>
                {code.code} — {code.name}
              </option>
            ))}
          </select>
        ) : (
          <input
            {...fieldProps(codeId, errors.billingCode)}
            value={value.billingCode}
            placeholder={placeholder}
            onInput={(e) => onChange({ billingCode: e.currentTarget.value })}
          />
        )}
        <FieldError id={codeId} error={errors.billingCode} />
      </div>
    </>
  );
}

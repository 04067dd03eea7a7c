import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { BillingCodeView } from '../types';

// What a launch or a clone may be charged to: when the service enforces billing codes, the active ones the
// caller's groups may use (a select); otherwise any code goes (free text).

export interface BillingChoice {
  enforced: boolean;
  usable: BillingCodeView[];
}

export function useBillingChoice(): BillingChoice | undefined {
  const [choice, setChoice] = useState<BillingChoice>();
  useEffect(() => {
    api<{ enforced: boolean; items: BillingCodeView[] }>('GET', '/v1/billing-codes').then(
      ({ enforced, items }) => setChoice({ enforced, usable: items.filter((code) => code.active) }),
      () => setChoice({ enforced: false, usable: [] }),
    );
  }, []);
  return choice;
}

/** The group and code to start from: the first usable code and its first named group (`*` names none). */
export function defaultCharge(choice: BillingChoice): { group: string; billingCode: string } {
  const first = choice.usable[0];
  const group = first?.groups.find((g) => g !== '*') ?? '';
  return { group, billingCode: first?.code ?? '' };
}

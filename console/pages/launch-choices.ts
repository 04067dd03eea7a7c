import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Firewall, Keypair, Product } from '../types';
import type { LaunchForm } from './launch-form';

// What the launch dialog offers in a region: the products for the image's architecture, and the firewalls and key
// pairs the caller may use. Loaded again when the region changes.

export interface LaunchChoices {
  products: Product[];
  firewalls: Firewall[];
  keypairs: Keypair[];
  problem?: string;
}

export function useLaunchChoices(region: string, architecture: string): LaunchChoices | undefined {
  const [choices, setChoices] = useState<LaunchChoices>();
  useEffect(() => {
    let current = true;
    const q = `region=${encodeURIComponent(region)}`;
    Promise.all([
      api<{ items: Product[] }>('GET', `/v1/products?${q}&architecture=${encodeURIComponent(architecture)}`),
      // The list is paged now: the launch dialog offers the first 200 (a launch takes at most 5).
      api<{ items: Firewall[] }>('GET', `/v1/firewalls?${q}&limit=200`),
      api<{ items: Keypair[] }>('GET', `/v1/keypairs?${q}`),
    ]).then(
      ([products, firewalls, keypairs]) =>
        current && setChoices({ products: products.items, firewalls: firewalls.items, keypairs: keypairs.items }),
      (err: Error) => current && setChoices({ products: [], firewalls: [], keypairs: [], problem: err.message }),
    );
    return () => {
      current = false;
    };
  }, [region, architecture]);
  return choices;
}

/** What each section of the dialog gets: the form, a way to change it, the problems by field path, the choices. */
export interface SectionProps {
  form: LaunchForm;
  update: (change: Partial<LaunchForm>) => void;
  errors: Record<string, string>;
  choices: LaunchChoices | undefined;
}

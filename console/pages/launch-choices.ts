import { useEffect, useState } from 'preact/hooks';
import { api } from '../api';
import type { Firewall, Keypair, Product } from '../types';
import type { LaunchForm } from './launch-form';
import type { LaunchCapabilities } from './launch-limits';

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
      // The lists are paged: the dialog offers the first page of each (a launch takes at most 5 firewalls and 1 key pair).
      api<{ items: Firewall[] }>('GET', `/v1/firewalls?${q}&limit=200`),
      api<{ items: Keypair[] }>('GET', `/v1/keypairs?${q}&limit=500`),
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

/**
 * What each section of the dialog gets: the form, a way to change it, the problems by field path, the choices, and
 * what the cloud can do (undefined until known: everything is offered, and the API decides).
 */
export interface SectionProps {
  form: LaunchForm;
  update: (change: Partial<LaunchForm>) => void;
  errors: Record<string, string>;
  choices: LaunchChoices | undefined;
  capabilities: LaunchCapabilities | undefined;
}

import type { Capabilities, NamingRule } from '../../domain/capabilities';
import { ProviderError } from '../../domain/cloud-errors';

// The local clouds' naming constraints (sim, qemu), close to EC2's so that requests valid here are valid there.
export const LOCAL_NAMING: Capabilities['naming'] = {
  server: {
    pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$',
    minLength: 1,
    maxLength: 63,
    hint: 'use 1 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit',
  },
  image: {
    pattern: "^[A-Za-z0-9()\\[\\] ./'@_-]+$",
    minLength: 3,
    maxLength: 128,
    hint: "use 3 to 128 letters, digits, spaces and ( ) [ ] . / - ' @ _",
  },
  keypair: {
    pattern: '^[A-Za-z0-9 ._:/()#,@\\[\\]+=&;{}!$*-]+$',
    minLength: 1,
    maxLength: 255,
    hint: 'use 1 to 255 printable ASCII characters',
  },
  firewall: {
    pattern: '^(?!sg-)[A-Za-z0-9 ._:/()#,@\\[\\]+=&;{}!$*-]+$',
    minLength: 1,
    maxLength: 255,
    hint: 'use 1 to 255 printable ASCII characters, not starting with sg-',
  },
};

export function fitsName(rule: NamingRule, name: string): boolean {
  return name.length >= rule.minLength && name.length <= rule.maxLength && new RegExp(rule.pattern).test(name);
}

export function requireName(kind: keyof Capabilities['naming'], name: string): void {
  const rule = LOCAL_NAMING[kind];
  if (!fitsName(rule, name))
    throw new ProviderError('InvalidInput', `${kind} name "${name}" does not fit this cloud: ${rule.hint}`);
}

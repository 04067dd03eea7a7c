import { CIDR_HINT, isIpv4Cidr, isIpv6Cidr } from '../../domain/cidr';
import type { FirewallChoice, KeypairChoice, LaunchRequestInput } from '../../domain/launch-request';
import { volumePlanProblems, type Filesystem, type RaidLevel } from '../../domain/volume-plan';
import { cloudProblems, type LaunchCapabilities } from './launch-limits';

// The launch dialog's form as typed (numbers as text), its checks, and the LaunchRequest it becomes. The checks
// mirror the API's (domain/launch-request.ts, domain/volume-plan.ts) and report under the same dotted field paths as the
// API's 400s, so the form's own problems and the API's land beside the same fields.

/** ServerNameSchema's pattern: the console does not bundle zod, so it is repeated here (a test keeps them equal). */
export const SERVER_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;

export const PROTOCOLS = ['tcp', 'udp', 'icmp', 'all'] as const;

export interface RuleRow {
  protocol: (typeof PROTOCOLS)[number];
  fromPort: string;
  toPort: string;
  cidr: string;
}

export interface LaunchForm {
  name: string;
  region: string;
  zone: string;
  hardware: 'product' | 'size';
  productId: string;
  cpu: string;
  memoryGb: string;
  storageGb: string;
  firewall: 'none' | 'existing' | 'create';
  firewallIds: string[];
  rules: RuleRow[];
  keypair: 'none' | 'existing' | 'create';
  keypairName: string;
  volumes: boolean;
  count: string;
  sizeGb: string;
  raid: RaidLevel;
  filesystem: Filesystem;
  mountPoint: string;
  encrypt: boolean;
  /** The cloud's disk type; empty for its default. */
  volumeType: string;
  blockEncryption: boolean;
  group: string;
  billingCode: string;
}

export function newLaunchForm(region: string): LaunchForm {
  return {
    ...{ name: '', region, zone: '', hardware: 'product', productId: '', cpu: '1', memoryGb: '2', storageGb: '20' },
    ...{ firewall: 'none', firewallIds: [], rules: [], keypair: 'create', keypairName: '' },
    ...{
      volumes: false,
      count: '1',
      sizeGb: '100',
      raid: 'none',
      filesystem: 'ext4',
      mountPoint: '/data',
      encrypt: false,
      volumeType: '',
      blockEncryption: false,
    },
    ...{ group: '', billingCode: '' },
  };
}

/** A whole number within bounds, or what to write instead (zod's `.int().min().max()` in words). */
function wholeNumber(text: string, min: number, max: number): number | string {
  const value = Number(text);
  return text.trim() !== '' && Number.isInteger(value) && value >= min && value <= max
    ? value
    : `give a whole number from ${min} to ${max}`;
}

/** The form's problems by field path, with the cloud's limits once known; none means the request is worth sending. */
export function launchProblems(form: LaunchForm, capabilities?: LaunchCapabilities): Record<string, string> {
  const problems: Record<string, string> = capabilities ? cloudProblems(form, capabilities) : {};
  const check = (path: string, value: number | string) => {
    if (typeof value === 'string') problems[path] = value;
  };
  if (!SERVER_NAME.test(form.name))
    problems.name = 'use 1 to 63 lowercase letters, digits and hyphens, starting and ending with a letter or digit';
  if (form.hardware === 'product' && !form.productId)
    problems.product = 'choose a product, or give CPU, memory and storage';
  if (form.hardware === 'size') {
    check('product.cpu', wholeNumber(form.cpu, 1, 448));
    const memory = Number(form.memoryGb);
    if (form.memoryGb.trim() === '' || !(memory > 0 && memory <= 24576))
      problems['product.memoryGb'] = 'give a number of GB above 0, at most 24576';
    check('product.storageGb', wholeNumber(form.storageGb, 1, 65536));
  }
  if (form.firewall === 'existing' && (form.firewallIds.length < 1 || form.firewallIds.length > 5))
    problems['firewall.ids'] = 'choose 1 to 5 firewalls';
  if (form.firewall === 'create') {
    form.rules.forEach((rule, i) => {
      const at = `firewall.create.rules.${i}`;
      const from = wholeNumber(rule.fromPort, -1, 65535);
      const to = wholeNumber(rule.toPort, -1, 65535);
      check(`${at}.fromPort`, from);
      check(`${at}.toPort`, to);
      if (typeof from === 'number' && typeof to === 'number' && from > to)
        problems[`${at}.toPort`] = 'fromPort must not be above toPort';
      if (!isIpv4Cidr(rule.cidr) && !isIpv6Cidr(rule.cidr)) problems[`${at}.cidr`] = CIDR_HINT;
    });
  }
  if (form.keypair === 'existing' && !form.keypairName) problems['keypair.name'] = 'choose a key pair, or create one';
  if (form.volumes) {
    const count = wholeNumber(form.count, 1, 16);
    if (!problems['volumes.count']) check('volumes.count', count);
    check('volumes.sizeGb', wholeNumber(form.sizeGb, 1, 16384));
    if (form.mountPoint.length > 128) problems['volumes.mountPoint'] = 'at most 128 characters';
    if (typeof count === 'number') {
      const disks = Array.from({ length: count }, () => ({ sizeGb: 1 }));
      for (const problem of volumePlanProblems({ disks, raid: form.raid, mountPoint: form.mountPoint }))
        problems[['volumes', ...problem.path].join('.')] ??= problem.message;
    }
  }
  if (form.group.trim().length < 1 || form.group.length > 64)
    problems.group = 'name the group the server belongs to (1 to 64 characters)';
  if (form.billingCode.trim().length < 1 || form.billingCode.length > 64)
    problems.billingCode = 'give the billing code the server is charged to (1 to 64 characters)';
  return problems;
}

/** The body of POST /v1/launches: exactly the API's LaunchRequest. Call only when launchProblems is empty. */
export function launchRequestOf(form: LaunchForm, imageId: string): LaunchRequestInput {
  const firewall: FirewallChoice | undefined =
    form.firewall === 'existing'
      ? { ids: form.firewallIds }
      : form.firewall === 'create'
        ? {
            create: {
              rules: form.rules.map((r) => ({
                protocol: r.protocol,
                fromPort: Number(r.fromPort),
                toPort: Number(r.toPort),
                cidr: r.cidr,
              })),
            },
          }
        : undefined;
  const keypair: KeypairChoice | undefined =
    form.keypair === 'existing' ? { name: form.keypairName } : form.keypair === 'create' ? { create: {} } : undefined;
  return {
    imageId,
    name: form.name,
    region: form.region,
    ...(form.zone ? { zone: form.zone } : {}),
    product:
      form.hardware === 'product'
        ? { productId: form.productId }
        : { cpu: Number(form.cpu), memoryGb: Number(form.memoryGb), storageGb: Number(form.storageGb) },
    ...(firewall ? { firewall } : {}),
    ...(keypair ? { keypair } : {}),
    ...(form.volumes
      ? {
          volumes: {
            // A chosen disk type is per disk in the request; without one, count and size say the same more briefly.
            ...(form.volumeType
              ? {
                  disks: Array.from({ length: Number(form.count) }, () => ({
                    sizeGb: Number(form.sizeGb),
                    type: form.volumeType,
                  })),
                }
              : { count: Number(form.count), sizeGb: Number(form.sizeGb) }),
            raid: form.raid,
            filesystem: form.filesystem,
            mountPoint: form.mountPoint,
            encrypt: form.encrypt,
            ...(form.blockEncryption ? { blockEncryption: true } : {}),
          },
        }
      : {}),
    group: form.group.trim(),
    billingCode: form.billingCode.trim(),
  };
}

/** The field paths the form shows as it is filled, for placing the API's problems beside them. */
export function shownFields(form: LaunchForm): Set<string> {
  const fields = ['name', 'region', 'zone', 'product', 'firewall', 'keypair', 'volumes', 'group', 'billingCode'];
  if (form.hardware === 'size') fields.push('product.cpu', 'product.memoryGb', 'product.storageGb');
  if (form.firewall === 'existing') fields.push('firewall.ids');
  if (form.firewall === 'create')
    form.rules.forEach((_, i) =>
      fields.push(...['protocol', 'fromPort', 'toPort', 'cidr'].map((f) => `firewall.create.rules.${i}.${f}`)),
    );
  if (form.keypair === 'existing') fields.push('keypair.name');
  if (form.volumes)
    // The API's refusals of a disk type (volumes.disks.N.type) or of block encryption show at the top of the volumes.
    fields.push(...['count', 'sizeGb', 'raid', 'filesystem', 'mountPoint', 'encrypt'].map((f) => `volumes.${f}`));
  return new Set(fields);
}

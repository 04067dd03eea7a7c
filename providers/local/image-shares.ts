import type { NamingRule } from '../../domain/capabilities';
import { ProviderError } from '../../domain/cloud-errors';
import type { ImageShareChange, ImageShares, MachineImage } from '../../domain/image';

// Image sharing as the clouds that keep image records (sim, qemu) do it. Each record store holds the images of
// every account of that cloud; a driver acts as one account (its `account` setting) and sees another account's
// image only when the owner shared it with this account or made it public, as EC2's launch permissions do.

export const LOCAL_ACCOUNT_RULE: NamingRule = {
  pattern: '^[a-z0-9]([a-z0-9-]*[a-z0-9])?$',
  minLength: 3,
  maxLength: 64,
  hint: 'an account id here is 3 to 64 lowercase letters, digits and hyphens, such as partner-account',
};

export interface SharedRecord {
  image: Omit<MachineImage, 'state'>;
  shares?: ImageShares;
}

export const sharesOf = (record: SharedRecord): ImageShares => ({
  accounts: [...(record.shares?.accounts ?? [])].sort(),
  public: record.shares?.public ?? false,
});

export function requireAccountIds(accounts: readonly string[] | undefined, rule: NamingRule): void {
  for (const account of accounts ?? []) {
    if (account.length < rule.minLength || account.length > rule.maxLength || !new RegExp(rule.pattern).test(account))
      throw new ProviderError('InvalidInput', `"${account}" is not an account id of this cloud: ${rule.hint}`);
  }
}

/** Adds a share change to a record; sharing with an account already there counts as done. */
export function addShares(record: SharedRecord, change: ImageShareChange): void {
  const current = sharesOf(record);
  record.shares = {
    accounts: [...new Set([...current.accounts, ...(change.accounts ?? [])])].sort(),
    public: current.public || change.public === true,
  };
}

/** Takes a share change away from a record; revoking what was never granted counts as done. */
export function removeShares(record: SharedRecord, change: ImageShareChange): void {
  const current = sharesOf(record);
  const removed = new Set(change.accounts ?? []);
  record.shares = {
    accounts: current.accounts.filter((account) => !removed.has(account)),
    public: current.public && change.public !== true,
  };
}

/** Whether the account owns the record's image (the cloud's published images are nobody's to change). */
export const ownedBy = (record: SharedRecord, account: string): boolean =>
  record.image.visibility !== 'public' && record.image.ownerId === account;

/**
 * How another account's image looks to this one: `shared` when shared with it by id, `public` when its owner made
 * it public, absent when neither (so it stays hidden, as on EC2).
 */
export function visibilityFor(record: SharedRecord, account: string): MachineImage['visibility'] | undefined {
  if (record.image.visibility === 'public' || record.image.ownerId === account) return record.image.visibility;
  if (record.shares?.accounts.includes(account)) return 'shared';
  if (record.shares?.public) return 'public';
  return undefined;
}

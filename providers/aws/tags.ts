import type { Filter, ResourceType, Tag, TagSpecification } from '@aws-sdk/client-ec2';

// Names and labels live in tags on EC2: these are the keys this service reads and writes.
export const TAG = {
  name: 'Name',
  labelColor: 'label-color',
  family: 'family',
  version: 'version',
  managedBy: 'managed-by',
  workflowId: 'workflow-id',
  clientToken: 'client-token',
  expiresAt: 'expires-at',
  replacedBy: 'replaced-by',
} as const;

export const toTagList = (tags: Record<string, string>): Tag[] =>
  Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export function fromTagList(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}

/** TagSpecifications tagging each resource type with the same tags; none when there are no tags. */
export function tagSpecifications(types: ResourceType[], tags: Record<string, string>): TagSpecification[] | undefined {
  if (Object.keys(tags).length === 0) return undefined;
  return types.map((ResourceType) => ({ ResourceType, Tags: toTagList(tags) }));
}

/** `tag:<key>` when a value is given, else `tag-key`. */
export function tagFilters(tag: { key: string; value?: string } | undefined): Filter[] {
  if (!tag) return [];
  return tag.value === undefined
    ? [{ Name: 'tag-key', Values: [tag.key] }]
    : [{ Name: `tag:${tag.key}`, Values: [tag.value] }];
}

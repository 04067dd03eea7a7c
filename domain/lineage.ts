// An image's lineage, apart from the request schemas: workflows read these tags, and zod has no place in their bundle.

/** Tags that carry an image's lineage, on every driver. */
export const LINEAGE_TAGS = {
  parent: 'parent-image',
  sourceServer: 'source-server',
  family: 'family',
  version: 'version',
  replacedBy: 'replaced-by',
} as const;

export interface ImageLineage {
  parentImageId?: string;
  sourceServerId?: string;
  family?: string;
  version?: string;
  replacedBy?: string;
}

import type { ResourceKind } from './record-store';

// What the store indexes beside each document, so that the lookups a launch makes (by tag, by attached server,
// live count) read a few rows instead of parsing every resource in the region: a launch must not cost more
// as the cloud fills up. Derived from the document on every write; the document stays the truth.

export interface RowIndex {
  tags: Record<string, string>;
  /** The server a volume is attached to (or attaching, or detaching from). */
  attachedTo: string | null;
  /** When the resource reaches its end state (a server's terminated); null while none is scheduled. */
  goneAt: number | null;
}

interface Shapes {
  tags?: Record<string, string>;
  server?: { tags?: Record<string, string> };
  volume?: { tags?: Record<string, string> };
  image?: { tags?: Record<string, string> };
  attachment?: { serverId: string };
  timeline?: { state: string; at: number }[];
}

const GONE: Partial<Record<ResourceKind, string>> = { server: 'terminated' };

export function indexOf(kind: ResourceKind, doc: unknown): RowIndex {
  const shape = (doc ?? {}) as Shapes;
  const tags = shape.server?.tags ?? shape.volume?.tags ?? shape.image?.tags ?? shape.tags ?? {};
  const goneState = GONE[kind];
  const gone = goneState ? shape.timeline?.find((entry) => entry.state === goneState) : undefined;
  return { tags, attachedTo: shape.attachment?.serverId ?? null, goneAt: gone?.at ?? null };
}

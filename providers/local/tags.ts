// Tags as the local clouds (sim, qemu) keep them on their records.

export function hasTag(tags: Record<string, string>, tag: { key: string; value?: string } | undefined): boolean {
  if (!tag) return true;
  return tag.key in tags && (tag.value === undefined || tags[tag.key] === tag.value);
}

/** Applies tag changes: an empty value removes the tag (as the interface's updateImage promises). */
export function applyTags(
  tags: Record<string, string>,
  changes: Record<string, string> | undefined,
): Record<string, string> {
  const next = { ...tags };
  for (const [key, value] of Object.entries(changes ?? {})) {
    if (value === '') delete next[key];
    else next[key] = value;
  }
  return next;
}

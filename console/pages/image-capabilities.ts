import type { Capabilities } from '../../domain/capabilities';

// What the images page cannot do on this cloud, and why: the control stays in its place, unavailable, with the
// reason as its tooltip, so an operator used to another cloud sees that the action is missing and not misplaced.

export type ImageCapabilities = Pick<Capabilities, 'labels' | 'deprecation' | 'disableImage'>;

const WHY_NOT: Record<string, { capability: keyof ImageCapabilities; why: string }> = {
  label: { capability: 'labels', why: 'This cloud does not label images' },
  deprecate: { capability: 'deprecation', why: 'This cloud does not deprecate images: delete old ones instead' },
  disable: { capability: 'disableImage', why: 'This cloud does not disable images' },
};

/** Why an image action is unavailable on this cloud; undefined when it is available or the capabilities are unknown. */
export function whyUnavailable(action: string, capabilities: ImageCapabilities | undefined): string | undefined {
  const rule = WHY_NOT[action];
  return rule && capabilities?.[rule.capability] === false ? rule.why : undefined;
}

// No zod here: the console's bundle takes the colours from this file too.

/** The label colours the original console offered. */
export const LABEL_COLORS = [
  'none',
  'blue',
  'gray',
  'green',
  'orange',
  'purple',
  'red',
  'yellow',
  'white',
  'brown',
] as const;
export type LabelColor = (typeof LABEL_COLORS)[number];

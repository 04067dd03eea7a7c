// Text written for people reading Temporal directly (the Web UI, `temporal workflow describe`, `temporal schedule
// describe`), which must read without the payload codec: workflow summaries, current details and activity summaries.
// It names what a workflow is for and where it is (image, server, group, billing code, step) and never a secret.
//
// Temporal hands a summary to the codec as a plain string payload like any argument, so the codec cannot tell one from
// the other. The mark says which: the payload codec stores a marked string as plain JSON without the mark, and
// seals everything else (secrets/payload-codec.ts). The mark is a Unicode private-use character, which no text the
// service writes starts with, and it is never stored.

export const PUBLIC_TEXT_MARK = '\u{E000}';

/** `text`, marked for the payload codec to store in the clear (without the mark). */
export const publicText = (text: string): string =>
  text.startsWith(PUBLIC_TEXT_MARK) ? text : PUBLIC_TEXT_MARK + text;

/** `text` without the mark, for showing it or building on it. */
export const withoutMark = (text: string): string =>
  text.startsWith(PUBLIC_TEXT_MARK) ? text.slice(PUBLIC_TEXT_MARK.length) : text;

export const isPublicText = (text: unknown): text is string =>
  typeof text === 'string' && text.startsWith(PUBLIC_TEXT_MARK);

import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { PUBLIC_TEXT_MARK, isPublicText, withoutMark } from '../domain/public-text';

// Which payloads the codec stores in the clear: the text the service marked for people reading Temporal directly
// (domain/public-text.ts), and nothing else. Summaries reach the codec as string payloads; current details as the
// answer to the SDK's `__temporal_workflow_metadata` query, an object of the workflow's definition (the names of its
// queries, signals and updates) and the details.

const JSON_PLAIN = 'json/plain';
/** How a marked string starts once JSON-encoded: a quote, then the mark (JSON leaves it unescaped). */
const MARKED_STRING = Buffer.from(`"${PUBLIC_TEXT_MARK}`);
const MARKED_DETAILS = Buffer.from(`"currentDetails":"${PUBLIC_TEXT_MARK}`);
const METADATA_KEYS = 'currentDetails,definition';

const encodingOf = (payload: Payload) => Buffer.from(payload.metadata?.[METADATA_ENCODING_KEY] ?? []).toString();

const plainJson = (value: unknown): Payload => ({
  metadata: { [METADATA_ENCODING_KEY]: Buffer.from(JSON_PLAIN) },
  data: Buffer.from(JSON.stringify(value)),
});

function parsed(data: Buffer): unknown {
  try {
    return JSON.parse(data.toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The payload as it is stored in the clear, without the mark; undefined for every payload the codec must seal. */
export function inTheClear(payload: Payload): Payload | undefined {
  if (encodingOf(payload) !== JSON_PLAIN || !payload.data?.length) return undefined;
  const data = Buffer.from(payload.data);
  if (data.subarray(0, MARKED_STRING.length).equals(MARKED_STRING)) {
    const value = parsed(data);
    return isPublicText(value) ? plainJson(withoutMark(value)) : undefined;
  }
  if (data[0] === '{'.charCodeAt(0) && data.includes(MARKED_DETAILS)) {
    const value = parsed(data) as { definition?: unknown; currentDetails?: unknown } | undefined;
    if (!value || typeof value !== 'object' || Object.keys(value).sort().join(',') !== METADATA_KEYS) return undefined;
    if (!isPublicText(value.currentDetails)) return undefined;
    return plainJson({ ...value, currentDetails: withoutMark(value.currentDetails) });
  }
  return undefined;
}

/** With PAYLOAD_CODEC=off nothing is sealed, but the mark is still taken off before Temporal stores the text. */
export class PublicTextCodec implements PayloadCodec {
  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => inTheClear(payload) ?? payload);
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads;
  }
}

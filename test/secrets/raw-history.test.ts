import { Client, Connection } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { SimProvider } from '../../providers/sim/sim-provider';
import { secretRefs } from '../../secrets/key-store';
import { ENCRYPTED_ENCODING } from '../../secrets/payload-codec';
import { startTestApi } from '../support/api';
import { LAUNCH_BODY } from '../support/launches';

type RawPayload = proto.temporal.api.common.v1.Payload;
const { Payload } = proto.temporal.api.common.v1;

/** Every payload of a history with where it sits, and every string and byte string in it, as someone with the database would read them. */
function readRaw(history: unknown) {
  const payloads: { path: string; payload: RawPayload }[] = [];
  const readable: string[] = [];
  const walk = (node: unknown, at: string): void => {
    if (typeof node === 'string') readable.push(node);
    if (node instanceof Uint8Array)
      readable.push(Buffer.from(node).toString('utf8'), Buffer.from(node).toString('latin1'));
    if (!node || typeof node !== 'object' || node instanceof Uint8Array) return;
    // protobufjs reflection: a decoded message names its type in $type (the type is no constructor to test with instanceof).
    if ((node as { $type?: unknown }).$type === Payload) payloads.push({ path: at, payload: node as RawPayload });
    for (const [key, value] of Object.entries(node)) walk(value, `${at}.${key}`);
  };
  walk(history, 'history');
  return { payloads, text: readable.join('\n') };
}

// A launch that makes a key pair and LUKS volumes, through the API with an API key, and its history as Temporal
// stores it: read with a client that has no codec, nothing secret shows, and nothing but ciphertext is there to parse.
describe('workflow history as stored, read without the codec key', () => {
  let api: Awaited<ReturnType<typeof startTestApi>>;
  let raw: Client;
  beforeAll(async () => {
    api = await startTestApi({ provider: new SimProvider({ timeScale: 0 }) });
    raw = new Client({ connection: await Connection.connect({ address: inject('temporalAddress') }) });
  });
  afterAll(async () => {
    await raw?.connection.close();
    await api?.stop();
  });

  it('holds no private key, passphrase or API key; every payload but the summaries is binary/encrypted', async () => {
    const body = {
      ...LAUNCH_BODY,
      keypair: { create: {} },
      firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '203.0.113.0/24' }] } },
      volumes: { count: 2, sizeGb: 5, raid: 'raid1', encrypt: true, filesystem: 'ext4', mountPoint: '/data' },
    };
    const started = await api.app.inject({ method: 'POST', url: '/v1/launches', payload: body });
    expect(started.statusCode).toBe(202);
    const { id } = started.json() as { id: string };
    const result = await api.temporal.client.workflow.getHandle(id).result();
    expect(result).toMatchObject({ privateKeyAvailable: true, volumes: { luksDevice: '/dev/mapper/data-crypt' } });

    const events: proto.temporal.api.history.v1.IHistoryEvent[] = [];
    let nextPageToken: Uint8Array | undefined;
    do {
      const page = await raw.workflowService.getWorkflowExecutionHistory({
        namespace: 'default',
        execution: { workflowId: id },
        nextPageToken,
      });
      events.push(...(page.history?.events ?? []));
      nextPageToken = page.nextPageToken?.length ? page.nextPageToken : undefined;
    } while (nextPageToken);
    const { payloads, text } = readRaw(events);

    const passphrase = await api.temporal.keys.get(secretRefs.luksPassphrase(id));
    const privateKey = await api.temporal.keys.get(secretRefs.privateKey(id));
    expect(passphrase).toMatch(/\S{16,}/);
    expect(privateKey).toContain('-----BEGIN');
    for (const secret of [
      passphrase!,
      '-----BEGIN',
      'PRIVATE KEY',
      privateKey!.split('\n')[1]!,
      ...Object.values(api.keys),
    ]) {
      expect(text, 'a secret in the raw history').not.toContain(secret);
    }

    // Patch markers are the SDK core's own and never pass through codecs: they hold the patch's name and nothing else.
    const markers = payloads.filter((p) => p.path.includes('.markerRecordedEventAttributes.details.patch-data.'));
    const patches = markers.map(
      (m) => JSON.parse(Buffer.from(m.payload.data).toString('utf8')) as Record<string, unknown>,
    );
    expect(patches.map((p) => Object.keys(p).sort())).toEqual([
      ['deprecated', 'id'],
      ['deprecated', 'id'],
    ]);
    expect(patches.map((p) => p.id)).toEqual(['launch-step-phases', 'launch-ready-deadline']);
    // Summaries (the workflow's and each activity's) are stored in the clear for the Web UI and the CLI: plain JSON
    // strings naming the launch, and nothing secret (the text search above covers them too).
    const summaries = payloads.filter((p) => p.path.includes('.userMetadata.'));
    const summaryTexts = summaries.map((p) => JSON.parse(Buffer.from(p.payload.data).toString('utf8')) as unknown);
    expect(summaries.map((p) => Buffer.from(p.payload.metadata.encoding ?? []).toString())).toEqual(
      summaries.map(() => 'json/plain'),
    );
    expect(summaryTexts[0]).toBe(
      `Launch ${body.name} from ${body.imageId} in ${body.region} for group ${body.group}, billing code ${body.billingCode}`,
    );
    expect(summaryTexts).toContainEqual(expect.stringMatching(/^launch .* server \S+ for group .*: wait-ready$/));
    expect(summaryTexts.every((t) => typeof t === 'string' && !t.includes('\u{E000}'))).toBe(true);
    // So are the current details, in the answer to the SDK's metadata query (read here without a codec).
    const metadata = await raw.workflowService.queryWorkflow({
      namespace: 'default',
      execution: { workflowId: id },
      query: { queryType: '__temporal_workflow_metadata' },
    });
    const [answer] = metadata.queryResult?.payloads ?? [];
    expect(Buffer.from(answer?.metadata?.encoding ?? []).toString()).toBe('json/plain');
    expect(JSON.parse(Buffer.from(answer!.data!).toString('utf8'))).toMatchObject({
      currentDetails: expect.stringMatching(/ for group .*, billing code .*: ready$/),
    });
    // Search attributes never pass through codecs (they must stay queryable); every other payload is sealed.
    const coded = payloads.filter(
      (p) => !p.path.includes('.searchAttributes.') && !markers.includes(p) && !summaries.includes(p),
    );
    expect(payloads.length - coded.length, 'search attributes are there, in the clear').toBeGreaterThan(0);
    expect(coded.length).toBeGreaterThan(20);
    const paths = new Set(
      coded.map((p) =>
        p.path
          .replace(/\.\d+\./g, '.#.')
          .split('.')
          .slice(2, 4)
          .join('.'),
      ),
    );
    expect([...paths]).toEqual(
      expect.arrayContaining([
        'workflowExecutionStartedEventAttributes.memo',
        'workflowExecutionStartedEventAttributes.input',
      ]),
    );
    for (const { path, payload } of coded) {
      expect(Buffer.from(payload.metadata.encoding ?? []).toString(), path).toBe(ENCRYPTED_ENCODING);
      expect(() => JSON.parse(Buffer.from(payload.data).toString('utf8')), path).toThrow();
    }

    // The same payloads through the codec are the launch's own JSON: the search above read real payloads.
    const decoded = await api.temporal.payloadCodecs[0]!.decode(coded.map((p) => p.payload));
    const values = JSON.stringify(decoded.map((p) => defaultPayloadConverter.fromPayload(p)));
    expect(values).toContain('data-crypt');
    expect(values).toContain(id);
    expect(values).not.toContain(passphrase!);
  });
});

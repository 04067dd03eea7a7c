import proto from '@temporalio/proto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_LABELS } from '../../domain/launch-request';
import { startTestApi } from '../support/api';
import { LAUNCH_BODY } from '../support/launches';

type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  additionalProperties?: unknown;
};

/** Every string, array and record a request may carry, named by where it is, that has no maximum. */
function unbounded(schema: JsonSchema | undefined, where: string): string[] {
  if (!schema || typeof schema !== 'object' || schema.$ref) return [];
  const found: string[] = [];
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options))
      options.forEach((option: JsonSchema, i) => found.push(...unbounded(option, `${where}|${key}${i}`)));
  }
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  if (
    types.includes('string') &&
    schema.maxLength === undefined &&
    schema.enum === undefined &&
    schema.const === undefined
  )
    found.push(`${where}: a string`);
  if (types.includes('array')) {
    if (schema.maxItems === undefined) found.push(`${where}: an array`);
    found.push(...unbounded(schema.items, `${where}[]`));
  }
  for (const [name, property] of Object.entries(schema.properties ?? {}))
    found.push(...unbounded(property, `${where}.${name}`));
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object') {
    if (schema.maxProperties === undefined) found.push(`${where}: a record`);
    found.push(...unbounded(schema.additionalProperties as JsonSchema, `${where}{}`));
  }
  return found;
}

// Tried as a hostile user would, with an operator's rights: nothing unbounded is accepted, and what the API can check
// it checks before the 202, so no workflow starts for a request that could only fail or wedge it.
describe('bounded input', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    env = await startTestApi();
  });
  afterAll(async () => env?.stop());

  it('has a maximum on every string, array and record of every request in the OpenAPI document', async () => {
    const doc = (await env.app.inject({ method: 'GET', url: '/docs/json' })).json() as {
      paths: Record<
        string,
        Record<
          string,
          {
            parameters?: { in: string; name: string; schema: JsonSchema }[];
            requestBody?: { content: Record<string, { schema: JsonSchema }> };
          }
        >
      >;
    };
    const found: string[] = [];
    let fields = 0;
    for (const [route, operations] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const parameter of operation.parameters ?? []) {
          fields += 1;
          found.push(
            ...unbounded(parameter.schema, `${method.toUpperCase()} ${route} ${parameter.in}.${parameter.name}`),
          );
        }
        const body = operation.requestBody?.content['application/json']?.schema;
        if (body) {
          fields += 1;
          found.push(...unbounded(body, `${method.toUpperCase()} ${route} body`));
        }
      }
    }
    expect(fields, 'the walk saw the API').toBeGreaterThan(50);
    expect(found).toEqual([]);
  });

  const hostile: [string, Record<string, unknown>, RegExp][] = [
    ['a 1 MB productId', { product: { productId: 'x'.repeat(1_000_000) } }, /body\.product/],
    ['a 200 KB image id', { imageId: 'i'.repeat(200_000) }, /body\.imageId/],
    [
      `${3000} labels`,
      { labels: Object.fromEntries(Array.from({ length: 3000 }, (_, i) => [`k${i}`, 'v'])) },
      new RegExp(`at most ${MAX_LABELS} labels`),
    ],
    [
      `${MAX_LABELS + 1} labels`,
      { labels: Object.fromEntries(Array.from({ length: MAX_LABELS + 1 }, (_, i) => [`k${i}`, 'v'])) },
      /body\.labels/,
    ],
    [
      'a CIDR /99',
      { firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '1.2.3.4/99' }] } } },
      /cidr: give an IPv4 CIDR/,
    ],
    [
      'a CIDR 300.1.1.1/8',
      { firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '300.1.1.1/8' }] } } },
      /cidr/,
    ],
    [
      'an IPv6 CIDR /129',
      { firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '2001:db8::/129' }] } } },
      /cidr: give an IPv4 CIDR .* or an IPv6 one/,
    ],
    [
      'an IPv6 CIDR with a bad group',
      { firewall: { create: { rules: [{ protocol: 'tcp', fromPort: 22, toPort: 22, cidr: '2001:db8:::1/64' }] } } },
      /cidr/,
    ],
    [
      'a disk type with a shell command',
      { volumes: { disks: [{ sizeGb: 5, type: 'gp3; rm -rf /' }] } },
      /type: name a disk type/,
    ],
    ['the group "*"', { group: '*' }, /body\.group: name one group/],
    [
      'a disk type the cloud does not have',
      { volumes: { disks: [{ sizeGb: 5, type: 'gp9' }] } },
      /^body\.volumes\.disks\.0\.type: "gp9" is not a disk type of sim; choose one of gp3, /,
    ],
    ['a zone of no region', { zone: 'sim-east-9z' }, /^body\.zone: "sim-east-9z" is not in region sim-east-1/],
    [
      'a product the region does not offer',
      { product: { productId: 'm9.none' } },
      /^body\.product\.productId: "m9\.none" is not a product of sim-east-1/,
    ],
    [
      'a region the cloud does not have',
      { region: 'mars-north-1' },
      /^body\.region: "mars-north-1" is not a region of sim/,
    ],
  ];
  it.each(hostile)(
    'refuses %s with a 400 naming the field, a short message, and no workflow',
    async (_what, change, message) => {
      const before = await env.temporal.countWorkflows();
      const res = await env.app.inject({ method: 'POST', url: '/v1/launches', payload: { ...LAUNCH_BODY, ...change } });
      expect(res.statusCode).toBe(400);
      expect(res.json()).toMatchObject({ code: 'invalid_request', message: expect.stringMatching(message) });
      expect(res.body.length, 'the error does not echo the input').toBeLessThan(2_000);
      expect(await env.temporal.countWorkflows()).toBe(before);
    },
  );

  it('refuses a clone or a capture with a name the cloud would refuse, before starting it', async () => {
    const before = await env.temporal.countWorkflows();
    const clone = await env.app.inject({
      method: 'POST',
      url: '/v1/images/img-simeast1-0003/clone',
      payload: { name: 'c', region: 'sim-east-1', group: 'ops', billingCode: 'ops-7' },
    });
    expect(clone.statusCode, clone.body).toBe(400);
    expect(clone.json()).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/^body\.name: "c" does not fit sim's image names/),
    });
    const capture = await env.app.inject({
      method: 'POST',
      url: '/v1/images',
      payload: { name: 'c', region: 'sim-east-1', serverId: 'i-00000000000000000', reboot: false },
    });
    expect(capture.statusCode, capture.body).toBe(400);
    expect(await env.temporal.countWorkflows()).toBe(before);
  });
});

describe('the largest valid launch', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    env = await startTestApi();
  });
  afterAll(async () => env?.stop());

  // The longest source a rule can name: an IPv6 address with an embedded IPv4 one (the sim takes IPv6, as EC2 does).
  const LONGEST_IPV6_CIDR = 'ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255/128';

  it('completes with every field at its maximum; its history stays under 256 KiB and its view under 64 KiB', async () => {
    const rule = { protocol: 'tcp' as const, fromPort: 1024, toPort: 65535, cidr: '203.0.113.255/32' };
    const body = {
      ...LAUNCH_BODY,
      name: `w${'x'.repeat(61)}1`,
      description: 'd'.repeat(255),
      zone: 'sim-east-1a',
      firewall: {
        create: {
          name: `f${'w'.repeat(99)}`,
          rules: Array.from({ length: 50 }, (_, i) => ({
            ...rule,
            fromPort: 1000 + i,
            ...(i % 2 ? { cidr: LONGEST_IPV6_CIDR } : {}),
          })),
        },
      },
      keypair: { create: { name: `k${'p'.repeat(99)}` } },
      volumes: {
        disks: Array.from({ length: 16 }, () => ({ sizeGb: 16384, type: 'standard' })),
        raid: 'raid10' as const,
        filesystem: 'xfs' as const,
        mountPoint: `/${'m'.repeat(127)}`,
        encrypt: true,
      },
      group: 'g'.repeat(64),
      billingCode: 'b'.repeat(64),
      labels: Object.fromEntries(
        Array.from({ length: MAX_LABELS }, (_, i) => [
          `${String(i).padStart(2, '0')}${'k'.repeat(62)}`,
          'v'.repeat(256),
        ]),
      ),
      userData: '#'.repeat(16384),
      readyTimeout: 7200,
    };
    const res = await env.app.inject({ method: 'POST', url: '/v1/launches', payload: body });
    expect(res.statusCode, res.body).toBe(202);
    const { id } = res.json() as { id: string };
    let view: { status: string } = { status: 'running' };
    for (let i = 0; i < 300 && view.status === 'running'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      view = (await env.app.inject({ method: 'GET', url: `/v1/launches/${id}` })).json();
    }
    expect(view, JSON.stringify((view as { error?: unknown }).error)).toMatchObject({ status: 'completed' });
    const viewBytes = Buffer.byteLength(JSON.stringify(view));
    const history = await env.temporal.client.workflow.getHandle(id).fetchHistory();
    const historyBytes = proto.temporal.api.history.v1.History.encode(history).finish().length;
    console.log(
      `the largest valid launch: request ${Buffer.byteLength(JSON.stringify(body))} B, history ${historyBytes} B in ${history.events?.length} events, view ${viewBytes} B`,
    );
    expect(historyBytes).toBeLessThan(256 * 1024);
    expect(viewBytes).toBeLessThan(64 * 1024);
  }, 120_000);
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BillingCodeSchema, type BillingCode } from '../../domain/billing-codes';
import { startTestApi } from '../support/api';
import { bearer } from '../support/api-keys';
import { LAUNCH_BODY } from '../support/launches';

const code = (c: Partial<BillingCode> & { code: string }): BillingCode =>
  BillingCodeSchema.parse({ name: `code ${c.code}`, groups: ['ops'], ...c });

// A launch needs an active billing code its group may use, with room in the code's quota of servers.
describe('billing codes', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  const quota = `q-${randomUUID().slice(0, 8)}`; // a fresh code: servers of other tests never count against it
  const started: string[] = [];
  beforeAll(async () => {
    env = await startTestApi({
      billingCodes: [
        code({ code: quota, quota: { soft: 1, hard: 2 } }),
        code({ code: 'retired', active: false }),
        code({ code: 'data-only', groups: ['data'] }),
      ],
    });
  });
  afterAll(async () => {
    for (const id of started)
      await env?.temporal.client.workflow
        .getHandle(id)
        .cancel()
        .catch(() => undefined);
    await env?.stop();
  });

  const launch = (billingCode: string) =>
    env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      headers: bearer(env.keys.operator),
      payload: { ...LAUNCH_BODY, billingCode, readyTimeout: '10m' },
    });

  it('refuses an unknown, an inactive and another group’s code with 422 naming the field, another group’s as unknown', async () => {
    const unknown = await launch('nope-1');
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toEqual({
      code: 'unknown_billing_code',
      message: expect.stringMatching(/^billingCode: "nope-1" is not a billing code group "ops" may use/),
    });
    const inactive = await launch('retired');
    expect(inactive.statusCode).toBe(422);
    expect(inactive.json().code).toBe('billing_code_inactive');
    const foreign = await launch('data-only');
    expect(foreign.statusCode).toBe(422);
    // Answered as if it did not exist: another group's code and its name stay unknown.
    expect(foreign.json()).toEqual({
      code: 'unknown_billing_code',
      message: unknown.json().message.replace('nope-1', 'data-only'),
    });
  });

  it('lists the codes the caller’s groups may use', async () => {
    const res = await env.app.inject({ method: 'GET', url: '/v1/billing-codes', headers: bearer(env.keys.viewer) });
    expect(res.statusCode).toBe(200);
    expect(res.json().enforced).toBe(true);
    expect(
      res
        .json()
        .items.map((c: BillingCode) => c.code)
        .sort(),
    ).toEqual([quota, 'retired'].sort());
  });

  it('accepts up to the soft quota quietly, warns over it, and refuses over the hard quota with the figures', async () => {
    const first = await launch(quota);
    expect(first.statusCode).toBe(202);
    expect(first.json().warnings).toBeUndefined();
    started.push(first.json().id);

    const second = await launch(quota);
    expect(second.statusCode).toBe(202);
    const warning = `billing code "${quota}" is over its soft quota: 2 servers with this launch, soft quota 1, hard quota 2`;
    expect(second.json().warnings).toEqual([warning]);
    started.push(second.json().id);
    const progress = await env.app.inject({ method: 'GET', url: `/v1/launches/${second.json().id}` });
    expect(progress.json().warnings).toContain(warning);

    const third = await launch(quota);
    expect(third.statusCode).toBe(422);
    expect(third.json()).toEqual({
      code: 'quota_exceeded',
      message: expect.stringContaining(`billing code "${quota}" is at its hard quota (2/2 servers)`),
    });
  });

  it('counts two launches sent at once against each other', async () => {
    const racing = code({ code: `race-${randomUUID().slice(0, 8)}`, quota: { hard: 1 } });
    const own = await startTestApi({ billingCodes: [racing] });
    try {
      const send = () =>
        own.app.inject({
          method: 'POST',
          url: '/v1/launches',
          headers: bearer(own.keys.operator),
          payload: { ...LAUNCH_BODY, billingCode: racing.code },
        });
      const answers = await Promise.all([send(), send()]);
      expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 422]);
      for (const a of answers)
        if (a.statusCode === 202) await own.temporal.client.workflow.getHandle(a.json().id).cancel();
    } finally {
      await own.stop();
    }
  });
});

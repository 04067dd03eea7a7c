import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi } from '../support/api';
import { bearer } from '../support/api-keys';
import { LAUNCH_BODY } from '../support/launches';
import type { SimProvider } from '../../providers/sim/sim-provider';

// /metrics: what the benchmarks measure, for Prometheus.
describe('GET /metrics', () => {
  let env: Awaited<ReturnType<typeof startTestApi>>;
  beforeAll(async () => {
    env = await startTestApi();
  });
  afterAll(async () => env?.stop());

  it('counts requests by route and status, launch admissions by outcome, and launches by status, for any key but none', async () => {
    expect((await env.app.inject({ method: 'POST', url: '/v1/launches', payload: LAUNCH_BODY })).statusCode).toBe(202);
    expect(
      (await env.app.inject({ method: 'POST', url: '/v1/launches', payload: { ...LAUNCH_BODY, imageId: 'img-nope' } }))
        .statusCode,
    ).toBe(404);
    expect((await env.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: '' } })).statusCode).toBe(
      401,
    );

    const res = await env.app.inject({ method: 'GET', url: '/metrics', headers: bearer(env.keys.viewer) });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toContain('text/plain');
    expect(res.body).toMatch(
      /^machine_images_http_request_duration_seconds_count\{method="POST",route="\/v1\/launches",status_code="202"\} 1$/m,
    );
    expect(res.body).toMatch(/^machine_images_launch_admissions_total\{outcome="accepted"\} 1$/m);
    expect(res.body).toMatch(/^machine_images_launch_admissions_total\{outcome="refused_404"\} 1$/m);
    expect(res.body).toMatch(/^machine_images_launches\{status="(Running|Completed)"\} [1-9]\d*$/m);
    expect(res.body).toMatch(/^machine_images_launches_running\{step="preflight"\} \d+$/m);
    expect(res.body).toContain('machine_images_api_process_resident_memory_bytes');
    expect(res.body).not.toContain('ops-7'); // no billing code, group or id in any label
  });

  it('counts running launches by the phase they are in', async () => {
    // A server whose status checks never pass keeps its launch in the readiness wait.
    (env.temporal.provider as SimProvider).faults.script({
      operation: 'statusChecks',
      match: { serverName: 'parked-1' },
      impaired: true,
    });
    const res = await env.app.inject({
      method: 'POST',
      url: '/v1/launches',
      payload: { ...LAUNCH_BODY, name: 'parked-1', readyTimeout: 600 },
    });
    expect(res.statusCode).toBe(202);
    const waitingForReady = async () => {
      const body = (await env.app.inject({ method: 'GET', url: '/metrics' })).body;
      return Number(/^machine_images_launches_running\{step="wait-ready"\} (\d+)$/m.exec(body)?.[1] ?? -1);
    };
    await expect.poll(waitingForReady, { timeout: 30_000, interval: 500 }).toBeGreaterThanOrEqual(1);
    await env.app.inject({ method: 'POST', url: `/v1/launches/${(res.json() as { id: string }).id}/cancel` });
  }, 60_000);
});

import { Runtime } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { cloudCallMetrics } from '../../worker/cloud-call-metrics';
import { freePort } from '../support/free-port';

// The budget reports through the SDK runtime's meter, whose gauges refuse negative values: a bucket in debt (reads
// waiting for tokens) once failed the very calls it was counting (bench/in-flight.ts --throttle 0.3, 200 launches).
describe('the cloud call metrics', () => {
  it('report a bucket in debt as empty, and never fail the call they count', async () => {
    // A runtime that exports metrics, as the worker's with WORKER_METRICS_ADDRESS (the default one records nothing).
    const address = `127.0.0.1:${await freePort()}`;
    Runtime.install({ telemetryOptions: { metrics: { prometheus: { bindAddress: address } } } });
    const meter = Runtime.instance().metricMeter;
    expect(() => meter.createGauge('machine_images_probe_gauge', 'float').set(-1)).toThrow(/non-negative/);
    const metrics = cloudCallMetrics(meter);
    expect(() => metrics.level('sim-east-1', -9.6, 10)).not.toThrow();
    expect(() => metrics.call('getImage', 'ok')).not.toThrow();
    expect(() => metrics.throttled('sim-east-1', 'serverStatuses')).not.toThrow();
    expect(() => metrics.readyWaits(-1)).not.toThrow();
    const exported = await (await fetch(`http://${address}/metrics`)).text();
    expect(exported).toMatch(/^machine_images_cloud_call_budget_tokens\{[^}]*region="sim-east-1"[^}]*\} 0$/m);
    expect(exported).toMatch(/^machine_images_cloud_calls\{[^}]*action="getImage"[^}]*\} 1$/m);
  });
});

import type { MetricMeter } from '@temporalio/common';
import type { CallBudgetMetrics } from '../providers/call-budget';

/**
 * The call budget's figures through the SDK runtime's meter, so that they come out of the worker's Prometheus
 * endpoint (WORKER_METRICS_ADDRESS) beside the SDK's own: calls by action and outcome, throttling answers, and each
 * region's bucket. Labels hold no id: actions, outcomes and regions are few.
 */
export function cloudCallMetrics(meter: MetricMeter): CallBudgetMetrics & { readyWaits(count: number): void } {
  const calls = meter.createCounter(
    'machine_images_cloud_calls',
    'calls',
    'Calls to the cloud API by action and outcome (ok, or the error code)',
  );
  const throttles = meter.createCounter(
    'machine_images_cloud_throttles',
    'calls',
    'Calls the cloud answered as throttled, by region and action',
  );
  const tokens = meter.createGauge(
    'machine_images_cloud_call_budget_tokens',
    'float',
    'calls',
    'Reads left in the region bucket (0 while reads wait for tokens)',
  );
  const rate = meter.createGauge(
    'machine_images_cloud_call_budget_rate',
    'float',
    'calls/s',
    'Reads a second the region bucket allows now (halved on throttling)',
  );
  const waits = meter.createGauge('machine_images_ready_waits', 'int', 'waits', 'Readiness waits this worker follows');
  // Figures are for reading, never a reason for a call to fail: a meter that refuses a value is passed over.
  const safely =
    <A extends unknown[]>(record: (...args: A) => void) =>
    (...args: A) => {
      try {
        record(...args);
      } catch {
        // the call goes on unrecorded
      }
    };
  return {
    call: safely((action: string, outcome: string) => calls.add(1, { action, outcome })),
    throttled: safely((region: string, action: string) => throttles.add(1, { region, action })),
    level: safely((region: string, left: number, perSecond: number) => {
      // Tokens owed to waiting reads show as none left (a gauge takes no negative value).
      tokens.set(Math.max(0, left), { region });
      rate.set(perSecond, { region });
    }),
    readyWaits: safely((count: number) => waits.set(count)),
  };
}

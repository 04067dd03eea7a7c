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
    'Reads left in the region bucket (negative: owed to waiting calls)',
  );
  const rate = meter.createGauge(
    'machine_images_cloud_call_budget_rate',
    'float',
    'calls/s',
    'Reads a second the region bucket allows now (halved on throttling)',
  );
  const waits = meter.createGauge('machine_images_ready_waits', 'int', 'waits', 'Readiness waits this worker follows');
  return {
    call: (action, outcome) => calls.add(1, { action, outcome }),
    throttled: (region, action) => throttles.add(1, { region, action }),
    level: (region, left, perSecond) => {
      tokens.set(left, { region });
      rate.set(perSecond, { region });
    },
    readyWaits: (count) => waits.set(count),
  };
}

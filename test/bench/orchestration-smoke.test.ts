import { describe, expect, it } from 'vitest';
import { runBenchSmoke } from '../support/bench';

// Benchmarks print figures and are not tests; CI only checks in smoke mode that they still run and print them.
describe('bench/orchestration.ts --smoke', () => {
  it('runs launches and the bare baseline on a dev server of its own, and prints the ratio and the history size', async () => {
    const stdout = await runBenchSmoke('orchestration', 120_000);
    expect(stdout).toMatch(/^bare workflow\s+3\s+[\d.]+\s+\d+\s+\d+$/m);
    expect(stdout).toMatch(/^launchServer\s+3\s+[\d.]+\s+\d+\s+\d+$/m);
    expect(stdout).toMatch(/throughput ratio \(launch \/ bare\): \d+\.\d\d/);
    const [, events] = /history of one launch: (\d+) events/.exec(stdout) ?? [];
    expect(Number(events)).toBeGreaterThan(20);
  }, 150_000);
});

describe('bench/orchestration.ts --smoke --cluster', () => {
  it('runs the same on the cluster of scripts/cluster (PostgreSQL, mutual TLS), and says so', async () => {
    const stdout = await runBenchSmoke('orchestration', 240_000, ['--cluster']);
    expect(stdout).toMatch(
      /^orchestration overhead on the cluster \(Temporal server on PostgreSQL, mutual TLS\): 3 launches/m,
    );
    expect(stdout).toMatch(/^launchServer\s+3\s+[\d.]+\s+\d+\s+\d+$/m);
    expect(stdout).toMatch(/throughput ratio \(launch \/ bare\): \d+\.\d\d/);
  }, 300_000);
});

import { describe, expect, it } from 'vitest';
import { runBenchSmoke } from '../support/bench';

const number = String.raw`\d+(?:\.\d+)?`;
/** A table row: requests, req/s, p50, p99, non-2xx (none), and the two ratios to the bare route. */
const tableRow = (run: string) =>
  new RegExp(String.raw`^${run}\s+[1-9]\d*\s+${number}\s+${number}\s+${number}\s+0\s+${number}\s+${number}$`, 'm');

// Benchmarks print figures and are not tests; CI only checks in smoke mode that they still run and print them.
describe('bench/api.ts --smoke', () => {
  it('loads the bare route, the public image search and launches with no failed answer, and prints the ratios', async () => {
    const stdout = await runBenchSmoke('api', 90_000);
    expect(stdout).toMatch(tableRow('bare route'));
    expect(stdout).toMatch(tableRow(String.raw`GET /v1/images`));
    expect(stdout).toMatch(tableRow(String.raw`POST /v1/launches`));
    expect(stdout).toMatch(tableRow(String.raw`start alone \(no HTTP\)`));
    for (const run of [String.raw`GET /v1/images`, String.raw`POST /v1/launches`]) {
      expect(stdout).toMatch(new RegExp(String.raw`throughput ratio \(${run} / bare\): \d+\.\d\d`));
      expect(stdout).toMatch(new RegExp(String.raw`p99 ratio \(${run} / bare\): \d+\.\d\d`));
    }
    const [, described, sampled] = /launches verified: (\d+) of (\d+) sampled 202s/.exec(stdout) ?? [];
    expect(Number(sampled)).toBeGreaterThan(0);
    expect(described).toBe(sampled);
  }, 120_000);
});

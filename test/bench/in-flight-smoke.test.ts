import { describe, expect, it } from 'vitest';
import { runBenchSmoke } from '../support/bench';

// Benchmarks print figures and are not tests; CI only checks in smoke mode that they still run and print them.
describe('bench/in-flight.ts --smoke', () => {
  it('parks launches in the readiness wait on a worker process of its own, and prints its memory and the read latencies', async () => {
    const stdout = await runBenchSmoke('in-flight', 150_000);
    expect(stdout).toMatch(/^workflow cache: \d+ \(WORKER_MAX_CACHED_WORKFLOWS default\)$/m);
    expect(stdout).toMatch(
      /^parked: 20 of 20 launches retrying checkReady after [\d.]+ s .*status checks of server i-\w+ are impaired/m,
    );
    const [, rss, peak] = /^worker memory parked: rss ([\d.]+) MiB, peak ([\d.]+) MiB/m.exec(stdout) ?? [];
    expect(Number(rss)).toBeGreaterThan(50);
    expect(Number(peak)).toBeGreaterThanOrEqual(Number(rss));
    expect(stdout).toMatch(
      /^CPU while parked, nobody reading \(2 s, of one core\): Temporal server \d+%, worker \d+%, API and bench \d+%$/m,
    );
    for (const route of ['GET /v1/health', 'GET /v1/launches/:id', 'GET /v1/launches\\?group']) {
      // Once one reader at a time, once ten: count, per second, p50, p99.
      expect(stdout.match(new RegExp(`^${route}\\s+(20|50)\\s+[\\d.]+\\s+\\d+\\s+\\d+$`, 'gm'))).toHaveLength(2);
    }
    expect(stdout.match(/^ {2}the same again\s+50\s+[\d.]+\s+\d+\s+\d+$/gm)).toHaveLength(2);
    expect(stdout).toMatch(/^p99 GET \/v1\/launches\/:id again, 1 at a time: [\d.]+ ms/m);
    expect(stdout).toMatch(/^p99 GET \/v1\/launches\/:id, 1 at a time: [\d.]+ ms \(target <= 50 ms: (met|MISSED)\)/m);
    expect(stdout).toMatch(
      /^p99 GET \/v1\/launches\?group=&state=, 10 at a time: [\d.]+ ms \(target <= 50 ms: (met|MISSED)\)/m,
    );
    expect(stdout).toMatch(/^reads refused: (none|\d+ .+)$/m);
    expect(stdout).toMatch(/^worker peak memory: [\d.]+ MiB \(target <= 1024 MiB: (met|MISSED)\)$/m);
  }, 180_000);
});

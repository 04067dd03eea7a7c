import { describe, expect, it } from 'vitest';
import { runBenchSmoke } from '../support/bench';

// Benchmarks print figures and are not tests; CI only checks in smoke mode that they still run and print them.
describe('bench/in-flight.ts --smoke', () => {
  it('parks launches across two worker processes, and prints their memory, CPU, cloud calls and the read latencies', async () => {
    const stdout = await runBenchSmoke('in-flight', 150_000, ['--workers', '2']);
    expect(stdout).toMatch(/^workflow cache per worker: \d+ \(WORKER_MAX_CACHED_WORKFLOWS default\)$/m);
    expect(stdout).toMatch(
      /^parked: 20 of 20 launches followed by the workers' readiness waits after [\d.]+ s .*status checks of server i-\w+ are impaired/m,
    );
    // Both workers follow waits: launches go to whichever polls, so each gets some of the 20.
    const [, first, second] = /^readiness waits followed: (\d+) \+ (\d+)$/m.exec(stdout) ?? [];
    expect(Number(first) + Number(second)).toBe(20);
    const parked =
      /^worker memory parked: rss ([\d.]+) MiB \(peak ([\d.]+) MiB\); rss ([\d.]+) MiB/m.exec(stdout) ?? [];
    expect(Number(parked[1])).toBeGreaterThan(50);
    expect(Number(parked[2])).toBeGreaterThanOrEqual(Number(parked[1]));
    expect(Number(parked[3])).toBeGreaterThan(50);
    expect(stdout).toMatch(
      /^CPU while parked, nobody reading \(2 s, of one core\): Temporal server \d+%, workers \d+% \+ \d+%, API and bench \d+%; server and workers [\d.]+ of a core/m,
    );
    // The waits' looks reach the cloud as batched status reads only, never one call per launch.
    expect(stdout).toMatch(
      /^cloud calls while parked: (serverStatuses [\d.]+\/s|none); status calls [\d.]+\/s in total/m,
    );
    for (const route of ['GET /v1/health', 'GET /v1/launches/:id', 'GET /v1/launches\\?group']) {
      // Once one reader at a time, once ten: count, per second, p50, p99.
      expect(stdout.match(new RegExp(`^${route}\\s+(20|50)\\s+[\\d.]+\\s+\\d+\\s+\\d+$`, 'gm'))).toHaveLength(2);
    }
    expect(stdout.match(/^ {2}the same again\s+50\s+[\d.]+\s+\d+\s+\d+$/gm)).toHaveLength(2);
    expect(stdout).toMatch(/^p99 GET \/v1\/launches\/:id, 1 at a time: [\d.]+ ms \(target <= 50 ms: (met|MISSED)\)/m);
    expect(stdout).toMatch(
      /^p99 GET \/v1\/launches\?group=&state=, 10 at a time: [\d.]+ ms \(target <= 100 ms: (met|MISSED)\)/m,
    );
    // Parked launches are answered from their waits' heartbeats: no read is refused for want of a worker.
    expect(stdout).toMatch(/^reads refused: none$/m);
    expect(stdout).toMatch(
      /^worker peak memory: [\d.]+ MiB, the largest of 2 \(target <= 1024 MiB each: (met|MISSED)\)$/m,
    );
  }, 180_000);

  it('completes every launch within its deadline while 30% of the cloud answers are Throttled', async () => {
    const stdout = await runBenchSmoke('in-flight', 240_000, ['--throttle', '0.3']);
    expect(stdout).toMatch(/^done after [\d.]+ s: 6 completed; launch took p50 [\d.]+ s, max [\d.]+ s/m);
    const [, calls, throttled] = /^cloud calls: (\d+), (\d+) answered Throttled/m.exec(stdout) ?? [];
    expect(Number(calls)).toBeGreaterThan(0);
    // The sim throttled some calls, and the launches got through them.
    expect(Number(throttled)).toBeGreaterThan(0);
    expect(stdout).toMatch(/^every launch completed within its deadline: met$/m);
  }, 300_000);
});

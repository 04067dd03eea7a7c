import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // One real Temporal dev server (in memory, free port) for the whole run.
    globalSetup: ['test/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Two cores: each file brings up its own worker and bundle, so two at a time is the most that helps.
    maxWorkers: 2,
    // A gRPC call still in flight when a test file closes its Temporal connection fails with this after the file's
    // tests have passed (seen once in ~20 runs of the console tests); it is teardown noise, not a result.
    onUnhandledError: (error) => (error.message === 'Channel has been shut down' ? false : undefined),
  },
});

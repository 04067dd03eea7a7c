import { configDefaults, defineConfig } from 'vitest/config';

// CI's second pass (.ci/node24) may leave out the files that boot real qemu guests: QEMU and the guest are the same
// whichever Node runs the test, and each guest takes minutes to boot under emulation.
const QEMU_GUEST_FILES = ['test/qemu/**', 'test/providers/qemu.contract.test.ts', 'test/providers/qemu.test.ts'];

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude:
      process.env.SKIP_QEMU_GUESTS === '1' ? [...configDefaults.exclude, ...QEMU_GUEST_FILES] : configDefaults.exclude,
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

import { defineConfig } from 'vitest/config';

// Forks, one file at a time: Temporal's native bridge misbehaves in worker threads
// (sdk-typescript#876), and the time-skipping server's clock is global to its environment.
export default defineConfig({
  test: {
    pool: 'forks',
    fileParallelism: false,
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Activity log lines are for operators; tests that read logs set their own level.
    env: { LOG_LEVEL: 'warn' },
    testTimeout: 60_000,
    // Generous: the end-to-end suites start emulators, workers and copies in their hooks, on 2 cores.
    hookTimeout: 300_000,
  },
});

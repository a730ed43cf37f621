import { defineConfig } from 'vitest/config';

// Three suites: pure unit tests, integration tests against real engines/files/databases/HTTP, and browser e2e.
// Unit and integration cases run in a shuffled order (a fixed seed, so a failure reproduces): a case that leans on
// what an earlier case left behind fails here instead of passing by luck. E2E files are journeys and keep their order.
const SHUFFLED = { shuffle: { files: false, tests: true }, seed: 20261129 } as const;

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      { test: { name: 'unit', include: ['tests/unit/**/*.test.ts'], testTimeout: 30_000, sequence: SHUFFLED } },
      {
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          sequence: SHUFFLED,
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          // Builds the renderer once (vite) so the kiosk host serves the current sources.
          globalSetup: ['tests/e2e/global-setup.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          pool: 'forks',
          fileParallelism: false,
        },
      },
    ],
  },
});

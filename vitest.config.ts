import { defineConfig } from 'vitest/config';

/**
 * Three suites: unit (pure Node and jsdom components), integration (real Kamailio and
 * SIPp) and e2e (Debian's Chromium against the web host). The last two start real
 * servers, so their files run one at a time.
 */
export default defineConfig({
  esbuild: { jsx: 'automatic' },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['tests/unit/**/*.test.ts', 'tests/unit/**/*.test.tsx'],
          environment: 'node',
          // Vitest's 5 s default is a timed assertion in disguise: the storage tests that
          // start the history index worker (tsx compiles its modules, at lowered thread
          // priority) took over 5 s each with one core kept busy, and failed. Tests wait
          // for events; this bound only ends a test that hangs.
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['tests/e2e/**/*.test.ts'],
          pool: 'forks',
          fileParallelism: false,
          testTimeout: 90_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});

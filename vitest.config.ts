import { defineConfig } from 'vitest/config';

// Workspace packages (packages/*) resolve to their TypeScript sources through the "source" export
// condition, as in tsconfig.json: tests never run against a stale build of them.
const conditions = ['source', 'import', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    include: [
      'src/**/*.test.ts',
      'test/**/*.test.ts',
      'packages/*/src/**/*.test.ts',
      'packages/*/test/**/*.test.ts',
      'packages/*/testing/**/*.test.ts',
    ],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: more workers than that only adds contention for the e2e suites.
    maxWorkers: 2,
    reporters: ['default'],
  },
});

import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources, so tests never run stale builds.
const conditions = ['@genai-cost/source', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    // chDB binds one data directory per process: every test file gets its own process.
    pool: 'forks',
    testTimeout: 30_000,
  },
});

import { defineConfig } from 'vitest/config';

// Tests run against the TypeScript sources of the workspace packages, not their build output:
// every package exports its source under the '@kestrel/source' condition.
const conditions = ['@kestrel/source', 'module', 'node', 'import', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['@kestrel/source'] } },
  test: {
    include: ['packages/*/test/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 60_000,
    pool: 'forks',
  },
});

import { defineConfig } from 'vitest/config';

// Real-time tests: they wait on the wall clock, so they run apart from `npm test` and are capped.
export default defineConfig({
  test: {
    environment: 'node',
    include: ['test/**/*.soak.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 60_000,
  },
});

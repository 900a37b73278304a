import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The renderer's component tests are TSX, compiled as electron.vite.config.ts compiles the window.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  test: {
    // Component tests opt into happy-dom with a `// @vitest-environment happy-dom` first line.
    environment: 'node',
    include: ['test/**/*.test.{ts,tsx}'],
    exclude: ['test/**/*.soak.test.ts', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    server: { deps: { inline: ['electron-store'] } },
    coverage: { provider: 'v8', include: ['src/**'] },
  },
});

import { existsSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const BUNDLE = 'out/preload/index.cjs';

describe('the built preload', () => {
  it('is one CommonJS file whose only require is electron (a sandboxed preload can load no other)', () => {
    expect(existsSync(BUNDLE), 'run `npm run build` before the tests').toBe(true);
    const code = readFileSync(BUNDLE, 'utf8');
    const required = [...code.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['electron']));
    expect(code).not.toMatch(/^\s*import\s/m);
    expect(code).not.toMatch(/^\s*export\s/m);
    // The window gets the named API, never ipcRenderer itself, and no schema library.
    expect(code).toContain('exposeInMainWorld("api"');
    expect(code).not.toMatch(/zod/);
  });
});

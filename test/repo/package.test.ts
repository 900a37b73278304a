import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as {
  name: string;
  productName: string;
  type: string;
  bin: Record<string, string>;
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

describe('package.json', () => {
  it('is the ESM package vault-aws-tray with its bin', () => {
    expect([pkg.name, pkg.productName, pkg.type]).toEqual([
      'vault-aws-tray',
      'vault-aws-tray',
      'module',
    ]);
    expect(pkg.bin).toEqual({ 'vault-aws-tray': 'bin/vault-aws-tray.cjs' });
  });

  it('pins every dependency exactly, so npm ci installs what was tested on Node 20', () => {
    const ranged = Object.entries({ ...pkg.dependencies, ...pkg.devDependencies }).filter(
      // A prerelease tag is still one exact version (postject has only 1.0.0-alpha.N).
      ([, version]) => !/^\d+\.\d+\.\d+(-[0-9A-Za-z.]+)?$/.test(version),
    );
    expect(ranged).toEqual([]);
  });

  it('keeps the versions the toolchain notes say work on Node 20', () => {
    const all = { ...pkg.dependencies, ...pkg.devDependencies };
    expect(all).toMatchObject({
      electron: '45.5.0',
      'electron-vite': '6.0.0',
      vite: '8.3.8',
      vitest: '4.1.12',
      '@vitest/coverage-v8': '4.1.12',
      'electron-store': '11.0.2',
      conf: '15.1.0',
      'openid-client': '6.9.0',
      chokidar: '5.0.0',
      'playwright-core': '1.65.1',
      typescript: '6.0.3',
    });
  });
});

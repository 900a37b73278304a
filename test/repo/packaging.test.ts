import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';

const require = createRequire(import.meta.url);
const schema = require('app-builder-lib/scheme.json') as object;

function validate(config: unknown) {
  // electron-builder's own validator also runs ajv with strict off (the schema uses `typeof`).
  const ajv = new Ajv({ allErrors: true, strict: false });
  const check = ajv.compile(schema);
  const ok = check(config);
  return { ok, errors: (check.errors ?? []).map((e) => `${e.instancePath} ${e.message}`) };
}

interface BuilderConfig {
  productName: string;
  linux: { target: string[] };
  mac: { target: string[]; extendInfo: { LSUIElement: boolean } };
  win: { target: string[] };
  electronFuses: { runAsNode: boolean };
}

const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;

describe('electron-builder.yml', () => {
  it('is valid against app-builder-lib/scheme.json', () => {
    expect(validate(config)).toEqual({ ok: true, errors: [] });
  });

  it('the validation would catch a misplaced key', () => {
    const broken = { ...config, mac: { ...config.mac, LSUIElement: true } };
    expect(validate(broken).ok).toBe(false);
  });

  it('targets AppImage and deb on Linux, dmg on macOS, nsis on Windows', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('names the product as package.json does and hides the Dock icon', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { productName: string };
    expect(config.productName).toBe(pkg.productName);
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
    expect(config.electronFuses.runAsNode).toBe(false);
  });
});

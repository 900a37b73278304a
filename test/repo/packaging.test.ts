import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { assetsDirectory } from '../../src/main/tray/tray-icons.js';

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
  icon: string;
  extraResources: { from: string; to: string }[];
  linux: { target: string[] };
  mac: { target: string[]; hardenedRuntime: boolean; extendInfo: { LSUIElement: boolean } };
  win: { target: string[] };
  nsis: { oneClick: boolean; perMachine: boolean };
  electronFuses: Record<string, boolean>;
}

interface PackageJson {
  name: string;
  productName: string;
  description: string;
}

/** electron-builder's own .desktop writer (app-builder-lib is pinned, so its internals are too). */
const { LinuxTargetHelper } = require('app-builder-lib/out/targets/LinuxTargetHelper.js') as {
  LinuxTargetHelper: new (packager: object) => {
    computeDesktopEntry(options: object): Promise<string>;
  };
};

const config = yaml.load(readFileSync('electron-builder.yml', 'utf8')) as BuilderConfig;
const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as PackageJson;

describe('electron-builder.yml', () => {
  it('is valid against app-builder-lib/scheme.json', () => {
    expect(validate(config)).toEqual({ ok: true, errors: [] });
  });

  it('the validation would catch a misplaced key', () => {
    const broken = { ...config, mac: { ...config.mac, LSUIElement: true } };
    expect(validate(broken).ok).toBe(false);
    // Before electron-builder 26 the entries sat directly under linux.desktop.
    const flatDesktop = { ...config, linux: { ...config.linux, desktop: { Name: 'x' } } };
    expect(validate(flatDesktop).ok).toBe(false);
  });

  it('targets AppImage and deb on Linux, dmg on macOS, nsis on Windows', () => {
    expect(config.linux.target).toEqual(['AppImage', 'deb']);
    expect(config.mac.target).toEqual(['dmg']);
    expect(config.win.target).toEqual(['nsis']);
  });

  it('names the product as package.json does and hides the Dock icon', () => {
    expect(config.productName).toBe(pkg.productName);
    expect(config.mac.extendInfo.LSUIElement).toBe(true);
    expect(config.mac.hardenedRuntime).toBe(true);
    expect(config.nsis).toMatchObject({ oneClick: false, perMachine: false });
  });

  it('sets every fuse that closes another way to run the binary', () => {
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('ships assets/tray as resources/tray, where the packaged app looks for it', () => {
    expect(config.extraResources).toEqual([{ from: 'assets/tray', to: 'tray' }]);
    expect(existsSync(config.extraResources[0].from)).toBe(true);
    const packaged = { packaged: true, resourcesPath: 'resources', appPath: 'app.asar' };
    expect(assetsDirectory(packaged)).toBe(join('resources', config.extraResources[0].to));
  });

  it('builds the app icons from a 512 px PNG', () => {
    expect(config.icon).toBe('build/icon.png');
    const png = readFileSync(config.icon);
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([512, 512]);
  });

  it('writes a Linux desktop entry in the Development category', async () => {
    const packager = {
      appInfo: {
        productName: pkg.productName,
        sanitizedProductName: pkg.productName,
        description: pkg.description,
      },
      executableName: pkg.name,
      info: { metadata: pkg },
      fileAssociations: [],
      config,
      platformSpecificBuildOptions: config.linux,
    };
    const entry = await new LinuxTargetHelper(packager).computeDesktopEntry(config.linux);
    expect(entry.split('\n')).toEqual(
      expect.arrayContaining([
        '[Desktop Entry]',
        'Name=vault-aws-tray',
        'Type=Application',
        `Comment=${pkg.description}`,
        'Categories=Development;',
        'Keywords=AWS;Vault;credentials;',
      ]),
    );
  });
});

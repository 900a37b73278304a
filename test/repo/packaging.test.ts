import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, posix, win32 } from 'node:path';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { cliCommand, packagedCliPath } from '../../src/main/cli-command.js';
import { assetsDirectory } from '../../src/main/tray/tray-icons.js';
import { credentialProcessLine } from '../../src/core/aws/credential-process-line.js';
import { standaloneCliDistName } from '../../src/shared/standalone-cli.js';

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
  linux: { target: string[]; extraResources: { from: string; to: string }[] };
  mac: {
    target: string[];
    hardenedRuntime: boolean;
    notarize: boolean;
    extendInfo: { LSUIElement: boolean };
    extraResources: { from: string; to: string }[];
  };
  win: { target: string[]; extraResources: { from: string; to: string }[] };
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
    // Notarised when a release sets the Apple variables (docs/manual-test.md).
    expect(config.mac.notarize).toBe(true);
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

  it('ships the standalone CLI where the packaged app points credential_process lines', () => {
    const packages = [
      { platform: 'linux', section: config.linux, resources: '/opt/vault-aws-tray/resources' },
      {
        platform: 'darwin',
        section: config.mac,
        resources: '/Applications/vault-aws-tray.app/Contents/Resources',
      },
      {
        platform: 'win32',
        section: config.win,
        resources: 'C:\\Users\\me\\AppData\\Local\\Programs\\vault-aws-tray\\resources',
      },
    ] as const;
    for (const { platform, section, resources } of packages) {
      expect(section.extraResources).toHaveLength(1);
      const [entry] = section.extraResources;
      // electron-builder expands ${arch} to x64, arm64, ... as process.arch names them.
      for (const arch of ['x64', 'arm64'])
        expect(entry!.from.replace('${arch}', arch)).toBe(
          `dist/${standaloneCliDistName(platform, arch)}`,
        );
      const place = {
        packaged: true,
        platform,
        resourcesPath: resources,
        execPath: '/opt/vault-aws-tray/vault-aws-tray',
        dataHome: '/home/me/.local/share',
        checkoutCommand: '/checkout/bin/vault-aws-tray.cjs',
      };
      const choice = cliCommand(place, { exists: () => true, install: () => undefined });
      const style = platform === 'win32' ? win32 : posix;
      expect(choice).toEqual({ command: style.join(resources, entry!.to) });
      expect(packagedCliPath(resources, platform)).toBe(style.join(resources, entry!.to));
      // The line the app writes names that file, not the Electron binary.
      expect(credentialProcessLine(choice.command, 'dev', platform)).toBe(
        `${style.join(resources, entry!.to)} credential-process dev`,
      );
    }
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

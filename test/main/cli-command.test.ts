import { mkdtempSync, readFileSync, statSync, utimesSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { appImageCliCopy, cliCommand, packagedCliPath } from '../../src/main/cli-command.js';

const base = {
  platform: 'linux' as const,
  resourcesPath: '/opt/vault-aws-tray/resources',
  execPath: '/opt/vault-aws-tray/vault-aws-tray',
  dataHome: '/home/me/.local/share',
  checkoutCommand: '/checkout/bin/vault-aws-tray.cjs',
};

describe('the command of the credential_process lines the app writes', () => {
  it('from a checkout: bin/vault-aws-tray.cjs', () => {
    expect(cliCommand({ ...base, packaged: false })).toEqual({
      command: '/checkout/bin/vault-aws-tray.cjs',
    });
  });

  it('packaged: the standalone CLI in the resources, not the Electron binary', () => {
    const files = { exists: () => true, install: () => undefined };
    expect(cliCommand({ ...base, packaged: true }, files)).toEqual({
      command: '/opt/vault-aws-tray/resources/bin/vault-aws-tray',
    });
  });

  it('packaged without the CLI: the app binary, and the reason said for the log and doctor', () => {
    const files = { exists: () => false, install: () => undefined };
    const choice = cliCommand({ ...base, packaged: true }, files);
    expect(choice.command).toBe(base.execPath);
    expect(choice.problem).toMatch(
      /standalone CLI \/opt\/vault-aws-tray\/resources\/bin\/vault-aws-tray is missing.*needs a desktop session/,
    );
  });

  it('from an AppImage: a copy outside the mount, made again only when the app’s changed', () => {
    const root = mkdtempSync(join(tmpdir(), 'appimage-cli-'));
    const resources = join(root, 'mount', 'resources');
    mkdirSync(join(resources, 'bin'), { recursive: true });
    const bundled = packagedCliPath(resources, 'linux');
    writeFileSync(bundled, 'version 1', { mode: 0o755 });
    const place = {
      ...base,
      packaged: true,
      resourcesPath: resources,
      appImage: join(root, 'vault-aws-tray.AppImage'),
      dataHome: join(root, 'share'),
    };
    const copy = appImageCliCopy(place.dataHome);
    expect(cliCommand(place)).toEqual({ command: copy });
    expect(readFileSync(copy, 'utf8')).toBe('version 1');
    expect(statSync(copy).mode & 0o777).toBe(0o755);
    // Unchanged: left alone (the same inode, no rewrite).
    const inode = statSync(copy).ino;
    cliCommand(place);
    expect(statSync(copy).ino).toBe(inode);
    // An updated AppImage carries another CLI: copied again.
    writeFileSync(bundled, 'version 2!');
    utimesSync(bundled, new Date(), new Date(Date.now() + 5_000));
    cliCommand(place);
    expect(readFileSync(copy, 'utf8')).toBe('version 2!');
  });

  it('from an AppImage whose copy cannot be made: the AppImage, saying why', () => {
    const files = {
      exists: () => true,
      install: () => {
        throw new Error('EACCES');
      },
    };
    const choice = cliCommand({ ...base, packaged: true, appImage: '/home/me/v.AppImage' }, files);
    expect(choice).toEqual({
      command: '/home/me/v.AppImage',
      problem: expect.stringMatching(/EACCES/),
    });
  });
});

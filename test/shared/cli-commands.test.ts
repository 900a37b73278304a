import { describe, expect, it } from 'vitest';
import { cliArguments } from '../../src/shared/cli-commands.js';

describe('the app binary as the vault-aws-tray command', () => {
  const exe = '/opt/vault-aws-tray/vault-aws-tray';

  it('runs the CLI when the first argument is a command, with or without --config-dir', () => {
    expect(cliArguments([exe, 'credential-process', 'dev'], 1)).toEqual([
      'credential-process',
      'dev',
    ]);
    expect(cliArguments([exe, '--config-dir', '/c', 'status', '--json'], 1)).toEqual([
      '--config-dir',
      '/c',
      'status',
      '--json',
    ]);
    expect(cliArguments([exe, '--config-dir=/c', 'refresh'], 1)).toEqual([
      '--config-dir=/c',
      'refresh',
    ]);
    // `electron .` from a checkout: the app folder comes first.
    expect(cliArguments(['/usr/bin/electron', '.', 'env', 'dev'], 2)).toEqual(['env', 'dev']);
  });

  it('starts the tray app for no arguments, its own switches and anything else', () => {
    expect(cliArguments([exe], 1)).toBeUndefined();
    expect(cliArguments([exe, '--autostart'], 1)).toBeUndefined();
    expect(cliArguments([exe, '--no-sandbox', '--ozone-platform=wayland'], 1)).toBeUndefined();
    expect(cliArguments([exe, 'toString'], 1)).toBeUndefined();
    expect(cliArguments(['/usr/bin/electron', '.'], 2)).toBeUndefined();
  });

  it('skips the Chromium switches a launcher puts first, keeping --config-dir', () => {
    // The AppImage on Ubuntu 24.04 needs --no-sandbox (electron#42510); Wayland desktops add theirs.
    expect(cliArguments([exe, '--no-sandbox', 'credential-process', 'dev'], 1)).toEqual([
      'credential-process',
      'dev',
    ]);
    expect(
      cliArguments(
        [
          exe,
          '--disable-gpu',
          '--enable-features=UseOzonePlatform',
          '--config-dir',
          '/c',
          'status',
        ],
        1,
      ),
    ).toEqual(['--config-dir', '/c', 'status']);
    expect(cliArguments([exe, '--config-dir=/c', '--no-sandbox', 'refresh', '--all'], 1)).toEqual([
      '--config-dir=/c',
      'refresh',
      '--all',
    ]);
    expect(cliArguments(['/usr/bin/electron', '.', '--no-sandbox', 'env', 'dev'], 2)).toEqual([
      'env',
      'dev',
    ]);
  });
});

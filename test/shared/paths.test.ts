import { describe, expect, it } from 'vitest';
import { configDir, userDataDir } from '../../src/shared/paths.js';

describe('the settings folder', () => {
  it('is Electron’s userData folder for productName on each OS', () => {
    expect(userDataDir({ platform: 'linux', env: {}, homedir: '/home/dev' })).toBe(
      '/home/dev/.config/vault-aws-tray',
    );
    expect(
      userDataDir({ platform: 'linux', env: { XDG_CONFIG_HOME: '/xdg/' }, homedir: '/home/dev' }),
    ).toBe('/xdg/vault-aws-tray');
    expect(userDataDir({ platform: 'darwin', env: {}, homedir: '/Users/dev' })).toBe(
      '/Users/dev/Library/Application Support/vault-aws-tray',
    );
    expect(
      userDataDir({
        platform: 'win32',
        env: { APPDATA: 'C:\\Users\\dev\\AppData\\Roaming' },
        homedir: 'C:\\Users\\dev',
      }),
    ).toBe('C:\\Users\\dev\\AppData\\Roaming\\vault-aws-tray');
  });

  it('--config-dir beats VAULT_AWS_TRAY_CONFIG_DIR, which beats userData', () => {
    const environment = {
      platform: 'linux',
      env: { VAULT_AWS_TRAY_CONFIG_DIR: '/from/env' },
      homedir: '/home/dev',
    };
    expect(configDir('/from/flag', environment)).toBe('/from/flag');
    expect(configDir(undefined, environment)).toBe('/from/env');
    expect(configDir(undefined, { ...environment, env: {} })).toBe(
      '/home/dev/.config/vault-aws-tray',
    );
  });
});

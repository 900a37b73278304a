import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TrayApp } from '../../src/main/tray-app.js';
import {
  app as electronApp,
  fake,
  resetFakeElectron,
  setFakePlatform,
} from '../support/fake-electron.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));
afterEach(() => resetFakeElectron());

describe('a Linux desktop without a keyring (i3: basic_text, and the fixed key)', () => {
  it('keeps the token in memory only and says why once per settings folder', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memory-token-'));
    process.env.VAULT_AWS_TRAY_CONFIG_DIR = dir;
    process.env.XDG_CONFIG_HOME = join(dir, 'xdg');
    const files = { preload: '/p.cjs', page: '/index.html', trayIcons: resolve('assets/tray') };
    const told = () =>
      fake.notifications.filter(
        (n) => n.options.title === 'Your Vault sign-in lasts until you quit',
      );
    for (const run of [1, 2]) {
      resetFakeElectron();
      setFakePlatform('linux');
      electronApp.fireReady();
      fake.storage.backend = 'basic_text';
      fake.storage.keyProvider = 'fixed';
      const app = new TrayApp(files, { startedAtLogin: true });
      await app.start();
      expect(told()).toHaveLength(run === 1 ? 1 : 0);
      if (run === 1) expect(told()[0]!.options.body).toMatch(/basic_text.*sign in again/);
      await app.stop();
    }
    expect(existsSync(join(dir, 'tokens.safe.json'))).toBe(false);
    // Started at login: the app stays in the tray, no window.
    expect(fake.windows).toHaveLength(0);
  });
});

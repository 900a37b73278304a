/**
 * Started at login, the app stays in the tray whatever the OS (autostart.ts): macOS drops the
 * login item's `--autostart` and says it in wasOpenedAtLogin instead.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { startAtLogin, wasStartedAtLogin } from '../../src/main/adapters/autostart.js';
import { AUTOSTART_ARG } from '../../src/main/autostart-entry.js';
import { TrayApp } from '../../src/main/tray-app.js';
import { app, fake, resetFakeElectron, setFakePlatform } from '../support/fake-electron.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));

const files = { preload: '/p.cjs', page: '/index.html', trayIcons: resolve('assets/tray') };
/** What the OS starts the app with: the executable, then what the login item keeps. */
const argvAtLogin = () => ['/Applications/vault-aws-tray', ...fake.login.args];

beforeEach(() => {
  resetFakeElectron();
  app.fireReady();
  const dir = mkdtempSync(join(tmpdir(), 'login-start-'));
  process.env.VAULT_AWS_TRAY_CONFIG_DIR = dir;
  process.env.XDG_CONFIG_HOME = join(dir, 'xdg');
});
afterEach(() => resetFakeElectron());

describe('macOS, started at login while signed out', () => {
  beforeEach(() => setFakePlatform('darwin'));

  it('stays in the tray: no window, though no --autostart arrived', async () => {
    await startAtLogin(process.env, '/home').set(true);
    const argv = argvAtLogin();
    expect(argv).not.toContain(AUTOSTART_ARG);
    fake.login.wasOpenedAtLogin = true;
    // As index.ts builds it, from the arguments.
    const tray = new TrayApp(files, { startedAtLogin: argv.includes(AUTOSTART_ARG) });
    await tray.start();
    expect(fake.windows).toHaveLength(0);
    await tray.stop();
  });

  it('opened by the user, it opens its window to sign in', async () => {
    const tray = new TrayApp(files, { startedAtLogin: false });
    await tray.start();
    expect(fake.windows).toHaveLength(1);
    await tray.stop();
  });
});

describe('was started at login, per OS', () => {
  it('Windows: the login item’s --autostart', async () => {
    setFakePlatform('win32');
    const autostart = startAtLogin(process.env, '/home');
    await autostart.set(true);
    expect(autostart.enabled()).toBe(true);
    expect(wasStartedAtLogin(argvAtLogin(), 'win32')).toBe(true);
    expect(wasStartedAtLogin(['C:\\vault-aws-tray.exe'], 'win32')).toBe(false);
  });

  it('Linux: the autostart entry’s --autostart', () => {
    expect(wasStartedAtLogin(['/opt/vault-aws-tray', AUTOSTART_ARG], 'linux')).toBe(true);
    expect(wasStartedAtLogin(['/opt/vault-aws-tray'], 'linux')).toBe(false);
  });
});

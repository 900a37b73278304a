/**
 * The tray app's life in Electron (src/main/app-lifecycle.ts) against the strict fake of
 * `electron`: one instance, the application menu, the window's permissions, and a quit that is
 * ordered and bounded, on `before-quit` and on Windows' `session-end`.
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Engine } from '../../src/core/engine/engine.js';
import {
  applicationMenuTemplate,
  QUIT_DEADLINE_MS,
  runTrayApp,
} from '../../src/main/app-lifecycle.js';
import type { LifecycleApp } from '../../src/main/app-lifecycle.js';
import { TrayApp } from '../../src/main/tray-app.js';
import { FakeClock } from '../support/fake-clock.js';
import { app, BrowserWindow, fake, resetFakeElectron } from '../support/fake-electron.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));

const files = { preload: '/p.cjs', page: '/index.html', trayIcons: resolve('assets/tray') };
/** Lets the promise callbacks queued so far run (ready, start, stop's steps). */
const settle = () => new Promise((r) => setImmediate(r));

/** A stand-in for TrayApp that records what the lifecycle asks of it. */
function standIn(stop: () => Promise<void> = async () => undefined) {
  const calls: string[] = [];
  const warnings: string[] = [];
  const stand: LifecycleApp = {
    pageUrl: 'file:///index.html',
    start: async () => void calls.push('start'),
    stop: () => (calls.push('stop'), stop()),
    openWindow: () => void calls.push('open-window'),
    warn: (message) => void warnings.push(message),
  };
  return { stand, calls, warnings };
}

/** A settings folder of its own, as the other tests of the app use one. */
function sandbox(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifecycle-'));
  process.env.VAULT_AWS_TRAY_CONFIG_DIR = join(dir, 'settings');
  process.env.XDG_CONFIG_HOME = join(dir, 'xdg');
  return process.env.VAULT_AWS_TRAY_CONFIG_DIR;
}

beforeEach(() => {
  resetFakeElectron();
  app.fireReady();
});
afterEach(() => vi.restoreAllMocks());

describe('starting', () => {
  it('a second instance quits at once and starts nothing', async () => {
    fake.singleInstanceLock = false;
    const quits = app.quitRequested;
    const { stand, calls } = standIn();
    runTrayApp(stand, { platform: 'linux', clock: new FakeClock() });
    await settle();
    expect(app.quitRequested).toBe(quits + 1);
    expect(calls).toEqual([]);
    expect(app.listenerCount('second-instance')).toBe(0);
  });

  it('a start that fails says why in an error box and exits with 1', async () => {
    const { stand } = standIn();
    stand.start = () => Promise.reject(new Error('the settings folder cannot be made'));
    runTrayApp(stand, { platform: 'linux', clock: new FakeClock() });
    await settle();
    expect(fake.errorBoxes).toEqual([
      { title: 'vault-aws-tray cannot start', content: 'the settings folder cannot be made' },
    ]);
    expect(fake.exitCodes).toEqual([1]);
  });

  it.each(['linux', 'win32'] as const)(
    'sets no application menu on %s: no Reload or Toggle Developer Tools on the window',
    async (platform) => {
      runTrayApp(standIn().stand, { platform, clock: new FakeClock() });
      await settle();
      expect(fake.applicationMenu).toBeNull();
    },
  );

  it('keeps an Edit menu on macOS, where paste in the window’s fields goes through it', async () => {
    runTrayApp(standIn().stand, { platform: 'darwin', clock: new FakeClock() });
    await settle();
    expect(fake.applicationMenu?.items).toEqual(applicationMenuTemplate('darwin'));
    expect(fake.applicationMenu?.items.map((item) => item.role)).toContain('editMenu');
  });

  it('refuses every permission request and every permission check of a web contents', async () => {
    runTrayApp(standIn().stand, { platform: 'linux', clock: new FakeClock() });
    const window = new BrowserWindow({});
    const { session } = window.webContents;
    const answers: boolean[] = [];
    session.requestHandler!(window.webContents, 'notifications', (ok) => answers.push(ok));
    expect(answers).toEqual([false]);
    for (const permission of ['clipboard-read', 'notifications', 'media', 'geolocation'])
      expect(session.checkHandler!(window.webContents, permission, 'file://')).toBe(false);
  });
});

describe('quitting', () => {
  it('a stop that hangs (a socket that never closes) still ends in app.exit at the deadline', async () => {
    const clock = new FakeClock();
    const { stand, calls, warnings } = standIn(() => new Promise<void>(() => undefined));
    runTrayApp(stand, { platform: 'linux', clock });
    await settle();
    app.quit();
    app.quit(); // a second Quit while stopping starts nothing more
    await settle();
    expect(calls.filter((c) => c === 'stop')).toHaveLength(1);
    clock.advance(QUIT_DEADLINE_MS - 1);
    expect(fake.exitCodes).toEqual([]);
    clock.advance(1);
    expect(fake.exitCodes).toEqual([0]);
    expect(warnings).toEqual([expect.stringMatching(/quitting took longer than 10 s/)]);
  });

  it('a stop that finishes quits for real, and the deadline is called off', async () => {
    const clock = new FakeClock();
    const { stand } = standIn();
    runTrayApp(stand, { platform: 'linux', clock });
    await settle();
    const quits = app.quitRequested;
    app.quit();
    await settle();
    // The lifecycle asked Electron to quit again, and that one was let through.
    expect(app.quitRequested).toBe(quits + 2);
    clock.advance(QUIT_DEADLINE_MS * 2);
    expect(fake.exitCodes).toEqual([]);
  });

  it('Windows’ session-end quits in order: listeners off, tray gone, engine, socket, then quit', async () => {
    const dir = sandbox();
    const trayApp = new TrayApp(files, { startedAtLogin: true });
    const seen: string[] = [];
    const stopEngine = Engine.prototype.stop;
    vi.spyOn(Engine.prototype, 'stop').mockImplementation(async function (this: Engine) {
      seen.push(`engine stops; tray destroyed: ${fake.trays[0]!.destroyed}`);
      await stopEngine.call(this);
      seen.push(`engine stopped; socket there: ${existsSync(join(dir, 'engine.sock'))}`);
    });
    runTrayApp(trayApp, { platform: 'win32', clock: new FakeClock() });
    await vi.waitFor(() => expect(fake.trays).toHaveLength(1));
    // No window is open: the hidden BaseWindow hears Windows end the session.
    expect(fake.baseWindows).toHaveLength(1);
    expect(fake.baseWindows[0]!.options).toMatchObject({ show: false });
    const quits = app.quitRequested;
    fake.baseWindows[0]!.emit('session-end', { reasons: ['logoff'] });
    await vi.waitFor(() => expect(app.quitRequested).toBe(quits + 2));
    expect(seen).toEqual([
      'engine stops; tray destroyed: true',
      'engine stopped; socket there: true',
    ]);
    expect(existsSync(join(dir, 'engine.sock'))).toBe(false);
    expect(existsSync(join(dir, 'engine.lock'))).toBe(false);
  });
});

describe('the tray app while it quits and while it starts', () => {
  it('a change landing while the engine stops reaches neither the destroyed tray nor the window', async () => {
    sandbox();
    // Not started at login, no Vault yet: the window opens.
    const trayApp = new TrayApp(files, { startedAtLogin: false });
    await trayApp.start();
    const window = fake.windows.at(-1)!;
    const tray = fake.trays[0]!;
    const stopEngine = Engine.prototype.stop;
    vi.spyOn(Engine.prototype, 'stop').mockImplementation(async function (this: Engine) {
      // A refresh (here: a settings reload) finishing between the tray's end and the engine's.
      await this.reloadSettings();
      await stopEngine.call(this);
    });
    const sentBefore = window.webContents.sent.length;
    const menusBefore = tray.menusSet;
    await trayApp.stop();
    expect(tray.destroyed).toBe(true);
    expect(tray.menusSet).toBe(menusBefore);
    expect(window.webContents.sent.slice(sentBefore)).toEqual([]);
  });

  it('a window asked for before the IPC handlers exist opens once they do', async () => {
    sandbox();
    const trayApp = new TrayApp(files, { startedAtLogin: true });
    runTrayApp(trayApp, { platform: 'linux', clock: new FakeClock() });
    // A second launch while the first one is still starting.
    app.emit('second-instance');
    await vi.waitFor(() => expect(fake.trays).toHaveLength(1));
    await vi.waitFor(() => expect(fake.windows).toHaveLength(1));
    expect(fake.windows[0]!.channelsAtCreation).toContain('status:get');
    expect(fake.windows[0]!.channelsAtCreation).toContain('setup:get');
    await trayApp.stop();
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TrayApp } from '../../src/main/tray-app.js';
import { startDaemon } from '../support/daemon-process.js';
import type { DaemonProcess } from '../support/daemon-process.js';
import { app as fakeApp, fake, resetFakeElectron } from '../support/fake-electron.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));

const files = { preload: '/p.cjs', page: '/index.html', trayIcons: resolve('assets/tray') };
let daemon: DaemonProcess | undefined;
afterEach(() => {
  daemon?.child.kill('SIGKILL');
});

/** A settings folder whose engine is the real `vault-aws-tray daemon`. */
async function daemonRunning() {
  const home = mkdtempSync(join(tmpdir(), 'takeover-'));
  const dir = join(home, 'settings');
  daemon = startDaemon({ PATH: process.env.PATH, HOME: home, VAULT_AWS_TRAY_CONFIG_DIR: dir });
  await daemon.waitFor(/answering the CLI on /);
  process.env.VAULT_AWS_TRAY_CONFIG_DIR = dir;
  process.env.XDG_CONFIG_HOME = join(home, '.config');
  resetFakeElectron();
  // TrayApp starts once Electron is ready (app-lifecycle.ts): safeStorage answers only then.
  fakeApp.fireReady();
  return daemon;
}

describe('the app started while the daemon keeps the folder', () => {
  it('offers to stop the daemon; accepted, the daemon exits cleanly and the app takes over', async () => {
    const running = await daemonRunning();
    fake.dialogAnswers.push(0);
    const app = new TrayApp(files, { startedAtLogin: true });
    await app.start();
    expect(await running.exited).toBe(0);
    expect(running.stderr()).toMatch(/stopping; the credentials file keeps what was last written/);
    expect(fake.trays).toHaveLength(1);
    await app.stop();
  });

  it('refused, the app quits and the daemon goes on', async () => {
    const running = await daemonRunning();
    fake.dialogAnswers.push(1);
    const quits = fakeApp.quitRequested;
    const app = new TrayApp(files, { startedAtLogin: true });
    await app.start();
    expect(fakeApp.quitRequested).toBe(quits + 1);
    expect(fake.trays).toHaveLength(0);
    expect(running.child.exitCode).toBeNull();
  });
});

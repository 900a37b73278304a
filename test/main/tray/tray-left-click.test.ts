import { resolve } from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ElectronTray } from '../../../src/main/adapters/tray.js';
import { fake, resetFakeElectron } from '../../support/fake-electron.js';

vi.mock('electron', async () => await import('../../support/fake-electron.js'));

const view = { icon: 'fresh' as const, tooltip: 'vault-aws-tray', statusLine: '', items: [] };

beforeEach(() => resetFakeElectron());

describe('a left click on the tray icon', () => {
  it('opens the menu on Windows, which opens it only on a right click by itself', () => {
    const tray = new ElectronTray(resolve('assets/tray'), 'win32', () => undefined);
    tray.render(view);
    fake.trays[0]!.leftClick();
    expect(fake.trays[0]!.popUps).toBe(1);
  });

  it.each(['linux', 'darwin'])('is left to the OS on %s', (platform) => {
    const tray = new ElectronTray(resolve('assets/tray'), platform, () => undefined);
    tray.render(view);
    fake.trays[0]!.leftClick();
    expect(fake.trays[0]!.popUps).toBe(0);
  });

  it('a destroyed tray throws when drawn, as Electron’s does', () => {
    const tray = new ElectronTray(resolve('assets/tray'), 'linux', () => undefined);
    tray.destroy();
    expect(() => tray.render(view)).toThrow('Object has been destroyed');
  });
});

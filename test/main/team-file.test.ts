/**
 * The app's side of the team file: the system-wide defaults on a first start, and the Connect
 * screen's "Use team settings…" through its IPC channels, with the fake's file picker.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { TeamFilePreview } from '../../src/shared/ipc.js';
import { TrayApp } from '../../src/main/tray-app.js';
import { app, fake, invoke, resetFakeElectron } from '../support/fake-electron.js';
import { startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
});

const files = { preload: '/p.cjs', page: '/index.html', trayIcons: resolve('assets/tray') };

/** A fresh settings folder and AWS files, as on a new machine. */
function newMachine() {
  const home = mkdtempSync(join(tmpdir(), 'team-file-'));
  const dir = join(home, 'settings');
  process.env.VAULT_AWS_TRAY_CONFIG_DIR = dir;
  process.env.XDG_CONFIG_HOME = join(home, 'xdg');
  process.env.AWS_SHARED_CREDENTIALS_FILE = join(home, '.aws', 'credentials');
  process.env.AWS_CONFIG_FILE = join(home, '.aws', 'config');
  return { home, settingsFile: join(dir, 'config.json') };
}

function teamFile(home: string, name: string, team: unknown): string {
  const path = join(home, name);
  writeFileSync(path, JSON.stringify(team));
  return path;
}

/** The settings file as saved; a folder where nothing was saved yet reads as empty. */
const settingsOf = (path: string) =>
  (existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : {}) as {
    vault?: Record<string, unknown>;
    profiles: Record<string, Record<string, unknown>>;
  };

describe('the system-wide defaults file', () => {
  it('presets the Vault and the profiles on the first start, and never again', async () => {
    const machine = newMachine();
    const defaults = teamFile(machine.home, 'defaults.json', {
      vault: { address: stack.vault.url, authMethod: 'oidc', authRole: stack.info.oidc.role },
      profiles: { dev: { role: 'dev-readonly' } },
    });
    resetFakeElectron();
    app.fireReady();
    const first = new TrayApp({ ...files, systemDefaults: defaults }, { startedAtLogin: false });
    await first.start();
    const saved = settingsOf(machine.settingsFile);
    expect(saved.vault).toMatchObject({ address: stack.vault.url, authRole: stack.info.oidc.role });
    expect(Object.keys(saved.profiles)).toEqual(['dev']);
    // Signed out with a preset Vault: the window opens on it, no Connect form to fill.
    expect(fake.windows).toHaveLength(1);
    await first.stop();

    // The user changes the preset; a later start leaves it alone.
    writeFileSync(
      defaults,
      JSON.stringify({ vault: { address: 'https://other.example.com' }, profiles: {} }),
    );
    resetFakeElectron();
    app.fireReady();
    const second = new TrayApp({ ...files, systemDefaults: defaults }, { startedAtLogin: true });
    await second.start();
    expect(settingsOf(machine.settingsFile).vault?.address).toBe(stack.vault.url);
    await second.stop();
  });

  it('a broken defaults file is logged, and the app starts as without it', async () => {
    const machine = newMachine();
    const defaults = teamFile(machine.home, 'defaults.json', {
      vault: { address: 'vault.example.com' },
    });
    resetFakeElectron();
    app.fireReady();
    const started = new TrayApp({ ...files, systemDefaults: defaults }, { startedAtLogin: true });
    await started.start();
    expect(fake.trays).toHaveLength(1);
    expect(settingsOf(machine.settingsFile).vault).toBeUndefined();
    const log = readFileSync(join(app.getPath('logs'), 'main.log'), 'utf8');
    expect(log).toContain(`the system defaults were not applied: ${defaults}: vault.address`);
    await started.stop();
  });
});

describe('"Use team settings…" on the Connect screen', () => {
  it('picks a file, shows what changes, and applies only what it showed', async () => {
    const machine = newMachine();
    resetFakeElectron();
    app.fireReady();
    const tray = new TrayApp(
      { ...files, systemDefaults: join(machine.home, 'none.json') },
      {
        startedAtLogin: false,
      },
    );
    await tray.start();
    const window = fake.windows[0]!;
    const from = { id: window.webContents.id, url: tray.pageUrl };
    const team = teamFile(machine.home, 'team.json', {
      vault: { address: stack.vault.url, authMethod: 'token' },
      profiles: { dev: { role: 'dev-readonly', region: 'eu-west-1' } },
    });

    // Cancelled: nothing shown, nothing kept to apply.
    fake.openDialogAnswers.push(undefined);
    expect(await invoke('setup:choose-team-file', from)).toBeNull();
    await expect(invoke('setup:apply-team-file', from)).rejects.toThrow(/Choose a team settings/);

    fake.openDialogAnswers.push(team);
    const preview = (await invoke('setup:choose-team-file', from)) as TeamFilePreview;
    // The picker sits on the window, and offers JSON files.
    expect(fake.openDialogs.at(-1)).toMatchObject({
      parent: true,
      options: { properties: ['openFile'] },
    });
    expect(preview).toEqual({
      source: team,
      lines: [
        'Vault:',
        `  address: ${stack.vault.url}`,
        '  authMethod: token',
        'Add profile dev: aws/creds/dev-readonly (region eu-west-1)',
      ],
      problems: [],
      changesExisting: false,
    });
    // Edited after it was shown: what is applied is what the user saw.
    writeFileSync(team, JSON.stringify({ vault: { address: 'https://changed.example.com' } }));
    const applied = (await invoke('setup:apply-team-file', from)) as { connection?: unknown };
    expect(applied.connection).toMatchObject({ address: stack.vault.url, authMethod: 'token' });
    const saved = settingsOf(machine.settingsFile);
    expect(saved.vault?.address).toBe(stack.vault.url);
    expect(saved.profiles.dev).toMatchObject({ role: 'dev-readonly', region: 'eu-west-1' });
    // Applied once: a second apply needs a new choice.
    await expect(invoke('setup:apply-team-file', from)).rejects.toThrow(/Choose a team settings/);
    // A later file that does not name dev keeps it, and says so without a CLI flag.
    fake.openDialogAnswers.push(
      teamFile(machine.home, 'later.json', {
        vault: { address: stack.vault.url, authMethod: 'token' },
      }),
    );
    const later = (await invoke('setup:choose-team-file', from)) as TeamFilePreview;
    expect(later.lines).toEqual([
      'Nothing to change: the settings are already as the file says.',
      'Keep dev (not in the file)',
    ]);
    await tray.stop();
  });

  it('a file the engine would refuse is shown with why, and cannot be applied', async () => {
    const machine = newMachine();
    mkdirSync(join(machine.home, '.aws'));
    writeFileSync(
      process.env.AWS_SHARED_CREDENTIALS_FILE!,
      '[dev]\naws_access_key_id = AKIAMINE\n',
      {
        flag: 'w',
      },
    );
    resetFakeElectron();
    app.fireReady();
    const tray = new TrayApp(
      { ...files, systemDefaults: join(machine.home, 'none.json') },
      {
        startedAtLogin: false,
      },
    );
    await tray.start();
    const from = { id: fake.windows[0]!.webContents.id, url: tray.pageUrl };
    fake.openDialogAnswers.push(
      teamFile(machine.home, 'team.json', { profiles: { dev: { role: 'dev-readonly' } } }),
    );
    const preview = (await invoke('setup:choose-team-file', from)) as TeamFilePreview;
    expect(preview.problems).toEqual([
      expect.stringMatching(/profile dev is already in the AWS files.*"adopt": true/),
    ]);
    await expect(invoke('setup:apply-team-file', from)).rejects.toThrow(/Choose a team settings/);
    expect(readFileSync(process.env.AWS_SHARED_CREDENTIALS_FILE!, 'utf8')).toBe(
      '[dev]\naws_access_key_id = AKIAMINE\n',
    );
    await tray.stop();
  });
});

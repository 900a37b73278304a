import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { confSettingsStore } from '../../src/cli/stores/conf-settings-store.js';
import { electronSettingsStore } from '../../src/main/adapters/settings-store.js';
import { SETTINGS_VERSION, SettingsError } from '../../src/shared/settings.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));

describe('one settings file for the app (electron-store) and the CLI (conf)', () => {
  it('what one writes the other reads, in a 0600 file of a 0700 folder', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'settings-')), 'vault-aws-tray');
    const app = electronSettingsStore(dir);
    app.update((s) => ({
      ...s,
      vault: {
        ...s.vault!,
        address: 'https://vault.example.com',
        namespace: '',
        authMethod: 'oidc',
        skipVerify: false,
      },
    }));
    const cli = confSettingsStore(dir);
    expect(cli.path).toBe(app.path);
    expect(cli.read().vault?.address).toBe('https://vault.example.com');
    cli.update((s) => ({ ...s, engine: { ...s.engine, notifications: false } }));
    expect(app.read().engine.notifications).toBe(false);
    expect(statSync(app.path).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('reads a file of this version with defaults filled in, and refuses a newer one without touching it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ profiles: { dev: { role: 'dev-readonly' } } }));
    const read = electronSettingsStore(dir).read();
    expect(read.version).toBe(SETTINGS_VERSION);
    expect(read.profiles.dev).toMatchObject({
      mount: 'aws',
      endpoint: 'creds',
      delivery: 'file',
      written: false,
    });
    const newer = JSON.stringify({ version: SETTINGS_VERSION + 1, somethingNew: true });
    writeFileSync(file, newer);
    expect(() => electronSettingsStore(dir).read()).toThrow(SettingsError);
    expect(() => electronSettingsStore(dir).read()).toThrow(/written by a newer version/);
    expect(readFileSync(file, 'utf8')).toBe(newer);
  });
});

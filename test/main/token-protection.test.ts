/**
 * Whether the app's Vault token may go to disk is decided from the key safeStorage actually
 * encrypts with (secret-store.ts), against a fake whose async encryptor behaves as Electron 45's.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  appTokenStore,
  PROBE_TIMEOUT_MS,
  secureStorageProblem,
} from '../../src/main/adapters/secret-store.js';
import { TrayApp } from '../../src/main/tray-app.js';
import { FakeClock } from '../support/fake-clock.js';
import {
  app,
  fake,
  resetFakeElectron,
  setFakePlatform,
  unlockKeyring,
} from '../support/fake-electron.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));

const files = { preload: '/p.cjs', page: '/index.html', trayIcons: resolve('assets/tray') };
const TOLD = 'Your Vault sign-in lasts until you quit';
const told = () => fake.notifications.filter((n) => n.options.title === TOLD);

/** A settings folder of its own, as the app finds it. */
function settingsFolder(): string {
  const dir = mkdtempSync(join(tmpdir(), 'token-protection-'));
  process.env.VAULT_AWS_TRAY_CONFIG_DIR = dir;
  process.env.XDG_CONFIG_HOME = join(dir, 'xdg');
  return dir;
}

/** A tokens.safe.json entry as the fake's encryptor writes it under the key of `tag`. */
const blob = (tag: string, token: string) =>
  Buffer.concat([Buffer.from(tag), Buffer.from(Buffer.from(token).map((b) => b ^ 0x5a))]).toString(
    'base64',
  );

beforeEach(() => {
  resetFakeElectron();
  setFakePlatform('linux');
  app.fireReady();
});
afterEach(() => resetFakeElectron());

describe('token protection on Linux', () => {
  it('GNOME without a Secret Service: the fixed key means memory only, said once', async () => {
    const dir = settingsFolder();
    for (const run of [1, 2]) {
      resetFakeElectron();
      setFakePlatform('linux');
      // The backend is picked from the desktop's name; the encryptor fell back to the fixed key.
      fake.storage.backend = 'gnome_libsecret';
      fake.storage.keyProvider = 'fixed';
      const tray = new TrayApp(files, { startedAtLogin: true });
      await tray.start();
      expect(told()).toHaveLength(run === 1 ? 1 : 0);
      if (run === 1) expect(told()[0]!.options.body).toMatch(/fixed key.*sign in again/);
      await tray.stop();
    }
    expect(existsSync(join(dir, 'tokens.safe.json'))).toBe(false);
  });

  it('i3 or sway with gnome-keyring: the backend says basic_text, the token is still kept', async () => {
    const dir = settingsFolder();
    fake.storage.backend = 'basic_text';
    fake.storage.keyProvider = 'keyring';
    const tray = new TrayApp(files, { startedAtLogin: true });
    await tray.start();
    expect(told()).toHaveLength(0);
    await tray.stop();
    // What the app keeps goes to the file under the keyring's key.
    const store = await appTokenStore(
      join(dir, 'tokens.safe.json'),
      'linux',
      await secureStorageProblem('linux'),
    );
    await store.set('https://vault|', 'hvs.SECRET');
    const saved = JSON.parse(readFileSync(join(dir, 'tokens.safe.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(Buffer.from(saved['https://vault|']!, 'base64').subarray(0, 3).toString()).toBe('v11');
    expect(await store.get('https://vault|')).toBe('hvs.SECRET');
  });

  it('drops a token an earlier run left under the fixed key, keeps one under the keyring’s', async () => {
    const dir = settingsFolder();
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'tokens.safe.json');
    writeFileSync(
      file,
      JSON.stringify({ old: blob('v10', 'hvs.OLD'), good: blob('v11', 'hvs.OK') }),
    );
    fake.storage.keyProvider = 'fixed';
    const tray = new TrayApp(files, { startedAtLogin: true });
    await tray.start();
    await tray.stop();
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8')) as object)).toEqual(['good']);
  });

  it('a keyring that never answers: after the timeout, memory only', async () => {
    fake.storage.keyProvider = 'hang';
    const clock = new FakeClock();
    let answer: string | undefined;
    const probe = secureStorageProblem('linux', clock).then((problem) => (answer = problem));
    await new Promise((r) => setImmediate(r));
    expect(answer).toBeUndefined();
    clock.advance(PROBE_TIMEOUT_MS);
    await probe;
    expect(answer).toMatch(/did not answer within 15 s/);
  });
});

describe('a keyring that asks the user to unlock it', () => {
  it('the tray is there meanwhile, saying the app starts, with Quit; then the full menu', async () => {
    const dir = settingsFolder();
    // A saved Vault: the engine reads its stored token as it starts, which waits for the keyring.
    mkdirSync(dir, { recursive: true });
    writeFileSync(
      join(dir, 'config.json'),
      JSON.stringify({ vault: { address: 'https://vault' } }),
    );
    fake.storage.keyProvider = 'prompting';
    const tray = new TrayApp(files, { startedAtLogin: true });
    const starting = tray.start();
    await vi.waitFor(() => expect(fake.trays).toHaveLength(1));
    const icon = fake.trays[0]!;
    expect(icon.labels()).toEqual(['vault-aws-tray is starting…', '---', 'Quit']);
    icon.click('Quit');
    await vi.waitFor(() => expect(app.quitRequested).toBe(1));
    unlockKeyring();
    await starting;
    expect(icon.labels()).toContain('Sign in…');
    // The keyring answered with its own key: nothing to tell.
    expect(told()).toHaveLength(0);
    await tray.stop();
  });
});

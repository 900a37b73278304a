import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DOCS_URL, electronBrowser } from '../../src/main/adapters/browser.js';
import { fileLogger } from '../../src/main/adapters/file-logger.js';
import { electronNotifier } from '../../src/main/adapters/notifier.js';
import { SafeStorageSecrets, secureStorageProblem } from '../../src/main/adapters/secret-store.js';
import { app, fake, resetFakeElectron, setFakePlatform } from '../support/fake-electron.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));

beforeEach(() => {
  resetFakeElectron();
  // safeStorage's async API works only after ready, as in Electron.
  app.fireReady();
});
// The fake's OS is process.platform: the real one comes back for the next file.
afterEach(() => resetFakeElectron());

describe('secure storage', () => {
  it('judges protection by the key an encryption used, not by the backend’s name', async () => {
    setFakePlatform('linux');
    expect(await secureStorageProblem('linux')).toBeUndefined();
    // i3/sway with gnome-keyring: the desktop is not recognised, the keyring answers all the same.
    fake.storage.backend = 'basic_text';
    expect(await secureStorageProblem('linux')).toBeUndefined();
    // GNOME without a reachable Secret Service: the async encryptor falls back to the fixed key.
    fake.storage.backend = 'gnome_libsecret';
    fake.storage.keyProvider = 'fixed';
    expect(await secureStorageProblem('linux')).toMatch(
      /fixed key \(storage backend: gnome_libsecret\)/,
    );
    fake.storage.keyProvider = 'portal';
    expect(await secureStorageProblem('linux')).toBeUndefined();
    setFakePlatform('darwin');
    fake.storage.keyProvider = 'keyring';
    expect(await secureStorageProblem('darwin')).toBeUndefined();
  });

  it('keeps tokens encrypted in a 0600 file and gives them back', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'secrets-')), 'tokens.safe.json');
    const store = new SafeStorageSecrets(file);
    await store.set('https://vault|', 'hvs.SECRET-TOKEN');
    expect(readFileSync(file, 'utf8')).not.toContain('hvs.SECRET-TOKEN');
    expect(await store.get('https://vault|')).toBe('hvs.SECRET-TOKEN');
    await store.delete('https://vault|');
    expect(await store.get('https://vault|')).toBeUndefined();
  });
});

describe('opening URLs', () => {
  it('opens only the sign-in page Vault returned and the app’s documentation', async () => {
    const { links, signIn } = electronBrowser();
    await expect(links.open('https://evil.example/phish')).rejects.toThrow('refusing to open');
    await expect(links.open('file:///etc/passwd')).rejects.toThrow('refusing to open');
    await links.open(DOCS_URL);
    const authUrl = 'https://login.example.com/authorize?client_id=vault&state=abc';
    await signIn.open(authUrl);
    expect(fake.openedUrls).toEqual([DOCS_URL, authUrl]);
  });
});

describe('notifications and the log', () => {
  it('shows a notice as an OS notification whose click reaches the app', () => {
    const clicked: string[] = [];
    const notifier = electronNotifier((notice) => clicked.push(notice.key));
    notifier.notify({
      key: 'dev:expired',
      title: 'AWS profile dev has expired',
      body: 'b',
      urgency: 'critical',
    });
    const shown = fake.notifications[0]!;
    expect(shown.options).toMatchObject({
      title: 'AWS profile dev has expired',
      urgency: 'critical',
    });
    shown.click();
    expect(clicked).toEqual(['dev:expired']);
  });

  it('writes timestamped lines with secrets redacted', () => {
    const folder = mkdtempSync(join(tmpdir(), 'logs-'));
    const logger = fileLogger(folder, () => Date.parse('2026-11-29T10:00:00Z'));
    logger.warn('token hvs.CAESIJ1234567890abcdefghijkl was refused');
    const text = readFileSync(logger.file, 'utf8');
    expect(text).toMatch(/^2026-11-29T10:00:00\.000Z warn {2}token /);
    expect(text).not.toContain('hvs.CAESIJ1234567890abcdefghijkl');
  });
});

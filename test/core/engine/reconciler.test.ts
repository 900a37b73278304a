import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { EngineServices } from '../../../src/core/engine/engine-services.js';
import type { FileWatcher } from '../../../src/core/engine/file-watcher.js';
import { ProfileBook } from '../../../src/core/engine/profile-book.js';
import {
  editedProfiles,
  reconcileEdits,
  settingsDiff,
  takeUpSettings,
  watchOutsideEdits,
} from '../../../src/core/engine/reconciler.js';
import type { ReconcileContext } from '../../../src/core/engine/reconciler.js';
import type { Logger } from '../../../src/core/ports.js';
import { parseSettings } from '../../../src/shared/settings.js';
import type { Settings } from '../../../src/shared/settings.js';
import { FakeClock } from '../../support/fake-clock.js';

const HOUR = 3_600_000;
const HELPER = '/usr/local/bin/vault-aws-tray';

let dir: string;
let clock: FakeClock;
let logs: Array<{ level: string; message: string }>;
let logger: Logger;
let credentialsFile: string;
let configFile: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vat-reconciler-'));
  clock = new FakeClock();
  logs = [];
  const log = (level: string) => (message: string) => logs.push({ level, message });
  logger = { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
  credentialsFile = join(dir, 'aws', 'credentials');
  configFile = join(dir, 'aws', 'config');
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Settings whose AWS files live in the test's folder. */
function settingsWith(raw: { profiles?: unknown; engine?: unknown; vault?: unknown }): Settings {
  return parseSettings({ ...raw, files: { credentialsFile, configFile } }, 'test');
}

function servicesFor(settings: Settings, command: string | null = HELPER): EngineServices {
  const services = new EngineServices({
    configDir: join(dir, 'config'),
    env: {},
    platform: 'linux',
    homedir: dir,
    cwd: dir,
    clock,
    logger,
    command: command ?? undefined,
  });
  services.use(settings);
  return services;
}

/** Writes file profiles as the engine does, recording the key ids as ours. */
async function writeKeys(services: EngineServices, book: ProfileBook, names: string[]) {
  await services.writer().applyProfiles(
    names.map((profile) => ({
      profile,
      credentials: {
        accessKeyId: `ASIA${profile.toUpperCase()}0001`,
        secretAccessKey: `secret-${profile}`,
        sessionToken: `token-${profile}`,
        expiresAt: new Date(clock.now() + HOUR),
      },
    })),
  );
  for (const name of names) book.entry(name).ours = `ASIA${name.toUpperCase()}0001`;
}

async function writeProcess(services: EngineServices, names: string[], region?: string) {
  await services.writer().applyProfiles(
    names.map((profile) => ({
      profile,
      credentialProcess: services.processLine(profile),
      region,
    })),
  );
}

/** Another program edits a file in place. */
function editFile(file: string, edit: (text: string) => string): void {
  const before = readFileSync(file, 'utf8');
  const after = edit(before);
  expect(after).not.toBe(before);
  writeFileSync(file, after);
}

/** The text of a file without the given section. */
function withoutSection(text: string, section: string): string {
  const lines = text.split('\n');
  const start = lines.indexOf(`[${section}]`);
  expect(start).toBeGreaterThanOrEqual(0);
  let end = start + 1;
  while (end < lines.length && !lines[end]!.startsWith('[')) end++;
  return [...lines.slice(0, start), ...lines.slice(end)].join('\n');
}

function contextFor(initial: Settings, services: EngineServices, book: ProfileBook) {
  let current = initial;
  const updateSettings = vi.fn((change: (s: Settings) => Settings) => {
    current = parseSettings(change(current), 'test');
  });
  const ctx: ReconcileContext = {
    book,
    services,
    logger,
    now: () => clock.now(),
    settings: () => current,
    updateSettings,
  };
  return { ctx, updateSettings, current: () => current };
}

describe('editedProfiles', () => {
  it('reports a file profile whose keys were rewritten or whose section was deleted', async () => {
    const settings = settingsWith({
      profiles: {
        kept: { role: 'r', written: true },
        rewritten: { role: 'r', written: true },
        deleted: { role: 'r', written: true },
      },
    });
    const services = servicesFor(settings);
    const book = new ProfileBook();
    await writeKeys(services, book, ['kept', 'rewritten', 'deleted']);
    expect(await editedProfiles(settings, book, services)).toEqual([]);

    editFile(credentialsFile, (text) => text.replace('ASIAREWRITTEN0001', 'AKIAHANDMADE0001'));
    editFile(credentialsFile, (text) => withoutSection(text, 'deleted'));
    expect((await editedProfiles(settings, book, services)).sort()).toEqual([
      'deleted',
      'rewritten',
    ]);
  });

  it('reports file profiles when the whole credentials file is gone', async () => {
    const settings = settingsWith({ profiles: { solo: { role: 'r', written: true } } });
    const services = servicesFor(settings);
    const book = new ProfileBook();
    await writeKeys(services, book, ['solo']);
    rmSync(credentialsFile);
    expect(await editedProfiles(settings, book, services)).toEqual(['solo']);
  });

  it('does not check a profile not written yet, one being refreshed, or one with no key of ours', async () => {
    const settings = settingsWith({
      profiles: {
        unwritten: { role: 'r' },
        busy: { role: 'r', written: true },
        unknown: { role: 'r', written: true },
      },
    });
    const services = servicesFor(settings);
    const book = new ProfileBook();
    await writeKeys(services, book, ['unwritten', 'busy', 'unknown']);
    editFile(credentialsFile, (text) =>
      text
        .replace('ASIAUNWRITTEN0001', 'AKIAOTHER0001')
        .replace('ASIABUSY0001', 'AKIAOTHER0002')
        .replace('ASIAUNKNOWN0001', 'AKIAOTHER0003'),
    );
    book.entry('busy').refreshing = true;
    book.entry('unknown').ours = undefined;
    expect(await editedProfiles(settings, book, services)).toEqual([]);

    // The same edit is seen once the refresh is over.
    book.entry('busy').refreshing = false;
    expect(await editedProfiles(settings, book, services)).toEqual(['busy']);
  });

  it('reports a process profile whose line was changed or removed, or that got keys', async () => {
    const settings = settingsWith({
      profiles: Object.fromEntries(
        ['intact', 'changed', 'removed', 'shadowed'].map((n) => [
          n,
          { role: 'r', written: true, delivery: 'process' },
        ]),
      ),
    });
    const services = servicesFor(settings);
    const book = new ProfileBook();
    await writeProcess(services, ['intact', 'changed', 'removed', 'shadowed']);
    expect(await editedProfiles(settings, book, services)).toEqual([]);

    editFile(configFile, (text) =>
      text
        .replace('credential-process changed', 'credential-process someone-else')
        .replace(`credential_process = ${services.processLine('removed')}\n`, ''),
    );
    // Only process profiles were written: the credentials file does not exist yet.
    expect(existsSync(credentialsFile)).toBe(false);
    writeFileSync(
      credentialsFile,
      '[shadowed]\naws_access_key_id = AKIAOTHER0001\naws_secret_access_key = x\n',
    );
    expect((await editedProfiles(settings, book, services)).sort()).toEqual([
      'changed',
      'removed',
      'shadowed',
    ]);
  });

  it('does not check a process profile being refreshed', async () => {
    const settings = settingsWith({
      profiles: { busy: { role: 'r', written: true, delivery: 'process' } },
    });
    const services = servicesFor(settings);
    const book = new ProfileBook();
    await writeProcess(services, ['busy']);
    editFile(configFile, (text) => withoutSection(text, 'profile busy'));
    book.entry('busy').refreshing = true;
    expect(await editedProfiles(settings, book, services)).toEqual([]);
    book.entry('busy').refreshing = false;
    expect(await editedProfiles(settings, book, services)).toEqual(['busy']);
  });

  it('skips process profiles when this program has no helper command to compare with', async () => {
    const settings = settingsWith({
      profiles: { proc: { role: 'r', written: true, delivery: 'process' } },
    });
    await writeProcess(servicesFor(settings), ['proc']);
    editFile(configFile, (text) => withoutSection(text, 'profile proc'));
    const commandless = servicesFor(settings, null);
    expect(await editedProfiles(settings, new ProfileBook(), commandless)).toEqual([]);
  });
});

describe('reconcileEdits', () => {
  async function editedSetup(externalEdits: 'restore' | 'detach') {
    const settings = settingsWith({
      engine: { externalEdits },
      profiles: {
        keys: { role: 'r', written: true },
        proc: { role: 'r', written: true, delivery: 'process', region: 'eu-west-1' },
        other: { role: 'r', written: true },
      },
    });
    const services = servicesFor(settings);
    const book = new ProfileBook();
    await writeKeys(services, book, ['keys', 'other']);
    await writeProcess(services, ['proc'], 'eu-west-1');
    book.entry('keys').due = clock.now() + HOUR;
    book.entry('other').due = clock.now() + HOUR;
    editFile(credentialsFile, (text) => text.replace('ASIAKEYS0001', 'AKIAHANDMADE0001'));
    editFile(configFile, (text) => withoutSection(text, 'profile proc'));
    const edited = await editedProfiles(settings, book, services);
    expect(edited.sort()).toEqual(['keys', 'proc']);
    clock.advance(5 * 60_000);
    return { settings, services, book, edited };
  }

  it('restore: writes a process profile’s line back and makes file profiles due now', async () => {
    const { settings, services, book, edited } = await editedSetup('restore');
    const { ctx, updateSettings } = contextFor(settings, services, book);
    const credentialsBefore = readFileSync(credentialsFile, 'utf8');

    await reconcileEdits(ctx, edited);

    const config = readFileSync(configFile, 'utf8');
    expect(config).toContain('[profile proc]');
    expect(config).toContain(`credential_process = ${services.processLine('proc')}`);
    expect(config).toMatch(/\[profile proc\][^[]*region = eu-west-1/);
    expect(book.get('proc')?.due).toBe(undefined);
    // The file profile waits for a Vault read: its file is left as the other program made it.
    expect(book.get('keys')!.due).toBe(clock.now());
    expect(book.get('other')!.due).toBe(clock.now() - 5 * 60_000 + HOUR);
    expect(readFileSync(credentialsFile, 'utf8')).toBe(credentialsBefore);
    expect(await editedProfiles(settings, book, services)).toEqual(['keys']);
    expect(updateSettings).not.toHaveBeenCalled();
    expect(logs.some((l) => l.level === 'warn' && l.message.includes('writing it back'))).toBe(
      true,
    );
  });

  it('detach: stops managing the edited profiles, in the settings and in the book', async () => {
    const { settings, services, book, edited } = await editedSetup('detach');
    const { ctx, updateSettings, current } = contextFor(settings, services, book);
    const filesBefore = [readFileSync(credentialsFile, 'utf8'), readFileSync(configFile, 'utf8')];

    await reconcileEdits(ctx, edited);

    expect(updateSettings).toHaveBeenCalledTimes(1);
    expect(Object.keys(current().profiles)).toEqual(['other']);
    expect(book.get('keys')).toBe(undefined);
    expect(book.get('proc')).toBe(undefined);
    expect(book.get('other')).toBeDefined();
    expect([readFileSync(credentialsFile, 'utf8'), readFileSync(configFile, 'utf8')]).toEqual(
      filesBefore,
    );
    expect(logs.some((l) => l.level === 'warn' && l.message.includes('no longer managed'))).toBe(
      true,
    );
  });

  it('restore: removes keys that hide a process profile’s line', async () => {
    const settings = settingsWith({
      profiles: { proc: { role: 'r', written: true, delivery: 'process' } },
    });
    const services = servicesFor(settings);
    const book = new ProfileBook();
    await writeProcess(services, ['proc']);
    writeFileSync(
      credentialsFile,
      '[proc]\naws_access_key_id = AKIAOTHER0001\naws_secret_access_key = x\n',
    );
    const edited = await editedProfiles(settings, book, services);
    expect(edited).toEqual(['proc']);
    const { ctx } = contextFor(settings, services, book);

    await reconcileEdits(ctx, edited);

    expect((await services.writer().inspect('proc', 'process')).inCredentialsFile).toBe(false);
    expect(await editedProfiles(settings, book, services)).toEqual([]);
  });

  it('does nothing when nothing was edited', async () => {
    const settings = settingsWith({
      engine: { externalEdits: 'detach' },
      profiles: { keys: { role: 'r', written: true } },
    });
    const services = servicesFor(settings);
    const book = new ProfileBook();
    book.entry('keys').due = clock.now() + HOUR;
    const { ctx, updateSettings, current } = contextFor(settings, services, book);
    await reconcileEdits(ctx, []);
    expect(updateSettings).not.toHaveBeenCalled();
    expect(Object.keys(current().profiles)).toEqual(['keys']);
    expect(book.get('keys')!.due).toBe(clock.now() + HOUR);
    expect(logs).toEqual([]);
  });
});

describe('settingsDiff', () => {
  it('reports removed, added and changed profiles', () => {
    const before = settingsWith({
      profiles: {
        gone: { role: 'r' },
        same: { role: 'r' },
        moved: { role: 'r' },
        regioned: { role: 'r' },
      },
    });
    const next = settingsWith({
      profiles: {
        same: { role: 'r' },
        moved: { role: 'other-role' },
        regioned: { role: 'r', region: 'eu-west-1' },
        fresh: { role: 'r' },
      },
    });
    expect(settingsDiff(before, next)).toEqual({
      removed: ['gone'],
      changed: ['moved', 'regioned'],
      added: ['fresh'],
    });
  });

  it('ignores changes only in written and adopt', () => {
    const before = settingsWith({ profiles: { p: { role: 'r' } } });
    const next = settingsWith({ profiles: { p: { role: 'r', written: true, adopt: true } } });
    expect(settingsDiff(before, next)).toEqual({ removed: [], changed: [], added: [] });
  });

  it('counts a change of delivery', () => {
    const before = settingsWith({ profiles: { p: { role: 'r', written: true } } });
    const next = settingsWith({
      profiles: { p: { role: 'r', written: true, delivery: 'process' } },
    });
    expect(settingsDiff(before, next).changed).toEqual(['p']);
  });
});

describe('takeUpSettings', () => {
  const vault = { address: 'https://vault.example.com:8200' };

  it('forgets removed profiles and makes added and changed ones due now', () => {
    const before = settingsWith({
      vault,
      profiles: { gone: { role: 'r' }, same: { role: 'r' }, moved: { role: 'r' } },
    });
    const next = settingsWith({
      vault,
      profiles: { same: { role: 'r', written: true }, moved: { role: 'x' }, fresh: { role: 'r' } },
    });
    const book = new ProfileBook();
    for (const name of ['gone', 'same', 'moved']) book.entry(name).due = clock.now() + HOUR;
    clock.advance(60_000);

    expect(takeUpSettings({ book, logger, clock }, before, next)).toEqual({
      vaultChanged: false,
      retaken: ['fresh', 'moved'],
    });
    expect(book.get('gone')).toBe(undefined);
    expect(book.get('same')!.due).toBe(clock.now() - 60_000 + HOUR);
    expect(book.get('moved')!.due).toBe(clock.now());
    expect(book.get('fresh')!.due).toBe(clock.now());
    expect(book.names().sort()).toEqual(['fresh', 'moved', 'same']);
  });

  it('says the Vault changed only when the Vault settings changed', () => {
    const profiles = { p: { role: 'r' } };
    const plain = settingsWith({ vault, profiles });
    const book = new ProfileBook();
    const ctx = { book, logger, clock };
    const vaultChanged = (before: Settings, next: Settings) =>
      takeUpSettings(ctx, before, next).vaultChanged;
    expect(vaultChanged(plain, settingsWith({ vault, profiles }))).toBe(false);
    expect(
      vaultChanged(plain, settingsWith({ vault: { ...vault, namespace: 'team' }, profiles })),
    ).toBe(true);
    expect(vaultChanged(settingsWith({ profiles }), plain)).toBe(true);
    expect(vaultChanged(plain, settingsWith({ profiles }))).toBe(true);
  });
});

/** Waits for `condition`, polling: the file watcher reacts on real time (its own debounce). */
async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for the watcher');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('watchOutsideEdits', () => {
  let watcher: FileWatcher | undefined;
  afterEach(async () => {
    await watcher?.close();
    watcher = undefined;
  });

  it('restores an edited profile and reloads the settings file when it changes', async () => {
    const settingsPath = join(dir, 'config', 'config.json');
    const settings = settingsWith({ profiles: { keys: { role: 'r', written: true } } });
    const services = servicesFor(settings);
    const book = new ProfileBook();
    await writeKeys(services, book, ['keys']);
    book.entry('keys').due = clock.now() + HOUR;
    const { ctx } = contextFor(settings, services, book);
    const changed = vi.fn();
    const reloadSettings = vi.fn(async () => undefined);
    let serialized = 0;
    let finished = 0;
    const serialize = async <T>(work: () => Promise<T>) => {
      serialized++;
      try {
        return await work();
      } finally {
        finished++;
      }
    };
    watcher = await watchOutsideEdits({ ...ctx, settingsPath, serialize, reloadSettings, changed });

    clock.advance(60_000);
    editFile(credentialsFile, (text) => text.replace('ASIAKEYS0001', 'AKIAHANDMADE0001'));
    await until(() => changed.mock.calls.length > 0);
    expect(book.get('keys')!.due).toBe(clock.now());
    expect(serialized).toBeGreaterThan(0);
    expect(reloadSettings).not.toHaveBeenCalled();

    writeFileSync(settingsPath, JSON.stringify({ profiles: {} }));
    await until(() => reloadSettings.mock.calls.length > 0);
    // Nothing of this test may still run when the next one starts (its logs are the next one's).
    await until(() => reloadSettings.mock.calls.length >= 2 && finished === serialized);
  });

  it('a delivery changed in the settings file is taken up, not detached as an outside edit', async () => {
    const settingsPath = join(dir, 'config', 'config.json');
    const before = settingsWith({
      profiles: { p: { role: 'r', written: true } },
      engine: { externalEdits: 'detach' },
    });
    const services = servicesFor(before);
    const book = new ProfileBook();
    await writeKeys(services, book, ['p']);
    const { ctx, updateSettings, current } = contextFor(before, services, book);
    // What the engine's reload does: the profile is now delivered by credential_process.
    const reloadSettings = vi.fn(async () => {
      const next = settingsWith({
        profiles: { p: { role: 'r', written: true, delivery: 'process' } },
        engine: { externalEdits: 'detach' },
      });
      takeUpSettings({ book, logger, clock }, current(), next);
      ctx.updateSettings(() => next);
    });
    let reactions = 0;
    watcher = await watchOutsideEdits({
      ...ctx,
      settingsPath,
      serialize: async (work) => {
        try {
          return await work();
        } finally {
          reactions++;
        }
      },
      reloadSettings,
      changed: vi.fn(),
    });
    writeFileSync(settingsPath, '{}');
    // The watcher reacts twice to a change (the second time for a missed last event).
    await until(() => reactions >= 2);
    expect(updateSettings).toHaveBeenCalledTimes(reloadSettings.mock.calls.length);
    expect(current().profiles.p?.delivery).toBe('process');
    expect(book.get('p')).toBeDefined();
    expect(logs.filter((l) => l.message.includes('another program'))).toEqual([]);
  });

  it('logs a failed check instead of throwing', async () => {
    const settings = settingsWith({ profiles: { keys: { role: 'r', written: true } } });
    const services = servicesFor(settings);
    const book = new ProfileBook();
    await writeKeys(services, book, ['keys']);
    const { ctx } = contextFor(settings, services, book);
    const changed = vi.fn();
    watcher = await watchOutsideEdits({
      ...ctx,
      serialize: (work) => work(),
      reloadSettings: async () => undefined,
      changed,
    });

    writeFileSync(credentialsFile, '[keys\naws_access_key_id = AKIAHANDMADE0001\n');
    await until(() =>
      logs.some((l) => l.level === 'warn' && l.message.startsWith('while checking the files')),
    );
    expect(changed).not.toHaveBeenCalled();
  });
});

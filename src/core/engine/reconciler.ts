import { resolve } from 'node:path';
import { SettingsError } from '../../shared/settings.js';
import type { Settings } from '../../shared/settings.js';
import type { Logger } from '../ports.js';
import { watchFiles } from './file-watcher.js';
import type { FileWatcher } from './file-watcher.js';
import type { EngineServices } from './engine-services.js';
import type { ProfileBook } from './profile-book.js';

/**
 * Reconciling what other programs did (docs/engine.md "Files written by someone else"): a managed
 * profile changed or removed in the AWS files, and profiles added, changed or removed in the
 * settings file by hand or by an older CLI.
 */

/** Managed profiles whose sections someone else changed or removed since the engine wrote them. */
export async function editedProfiles(
  settings: Settings,
  book: ProfileBook,
  services: EngineServices,
): Promise<string[]> {
  const writer = services.writer();
  const edited: string[] = [];
  for (const [name, binding] of Object.entries(settings.profiles)) {
    const entry = book.get(name);
    if (!binding.written || entry?.refreshing || entry?.record.rewrite) continue;
    if (binding.delivery === 'process') {
      // Ours when the config runs our helper and no keys in the credentials file hide it.
      const inspection = await writer.inspect(name, 'process');
      let line: string | undefined;
      try {
        line = services.processLine(name);
      } catch {
        continue;
      }
      if (inspection.credentialProcess !== line || inspection.inCredentialsFile) edited.push(name);
      continue;
    }
    if (entry?.ours === undefined) continue;
    const inspection = await writer.inspect(name);
    if (inspection.accessKeyId !== entry.ours) edited.push(name);
  }
  return edited;
}

export interface ReconcileContext {
  book: ProfileBook;
  services: EngineServices;
  logger: Logger;
  now(): number;
  settings(): Settings;
  updateSettings(change: (current: Settings) => Settings): void;
}

/**
 * Restores edited profiles (the default: a process profile's line is written back as it was,
 * with no Vault read; the others are due at once), or stops managing them (`detach`).
 */
export async function reconcileEdits(ctx: ReconcileContext, edited: string[]): Promise<void> {
  if (edited.length === 0) return;
  const settings = ctx.settings();
  if (settings.engine.externalEdits === 'detach') {
    ctx.logger.warn(
      `${edited.join(', ')}: changed by another program; no longer managed, as the settings ask`,
    );
    ctx.updateSettings((s) => ({
      ...s,
      profiles: Object.fromEntries(Object.entries(s.profiles).filter(([n]) => !edited.includes(n))),
    }));
    for (const name of edited) ctx.book.forget(name);
    return;
  }
  ctx.logger.warn(`${edited.join(', ')}: changed or removed by another program; writing it back`);
  const process = edited.filter((n) => settings.profiles[n]?.delivery === 'process');
  if (process.length > 0) {
    await ctx.services
      .writer()
      .applyProfiles(
        process.map((profile) => ({
          profile,
          credentialProcess: ctx.services.processLine(profile),
          region: settings.profiles[profile]?.region,
        })),
      )
      .catch((error: unknown) =>
        ctx.logger.warn(`could not write back ${process.join(', ')}: ${(error as Error).message}`),
      );
  }
  for (const name of edited) if (!process.includes(name)) ctx.book.entry(name).due = ctx.now();
}

/**
 * Takes up settings saved by the window or another program: a profile removed there is
 * forgotten, one added or changed is due at once (`retaken`: the next batch rewrites its files
 * from the new settings). `vaultChanged` when the Vault changed too.
 */
/**
 * The settings file as it is now, or the reason it cannot be read: the engine then keeps the
 * last good settings (and refuses all but `doctor` until the file is fixed).
 */
export function readSettingsFile(
  store: { read(): Settings },
  logger: Logger,
): { settings?: Settings; problem?: SettingsError } {
  try {
    return { settings: store.read() };
  } catch (error) {
    if (!(error instanceof SettingsError)) throw error;
    logger.warn(
      `the settings file cannot be read; keeping the last good settings (${error.message})`,
    );
    return { problem: error };
  }
}

export function takeUpSettings(
  ctx: { book: ProfileBook; logger: Logger; clock: { now(): number } },
  before: Settings,
  next: Settings,
): { vaultChanged: boolean; retaken: string[] } {
  const diff = settingsDiff(before, next);
  for (const name of diff.removed) ctx.book.forget(name);
  const retaken = [...diff.added, ...diff.changed];
  for (const name of retaken) {
    ctx.logger.info(`${name}: ${diff.added.includes(name) ? 'added' : 'changed'} in the settings`);
    const entry = ctx.book.entry(name);
    entry.due = ctx.clock.now();
    entry.record = { ...entry.record, rewrite: true };
  }
  const vaultChanged = JSON.stringify(before.vault ?? null) !== JSON.stringify(next.vault ?? null);
  return { vaultChanged, retaken };
}

/** Profiles of the settings file that another program removed, and those it added or changed. */
export function settingsDiff(
  before: Settings,
  next: Settings,
): { removed: string[]; changed: string[]; added: string[] } {
  const comparable = (p: Settings['profiles'][string] | undefined) =>
    p === undefined ? undefined : JSON.stringify({ ...p, written: 0, adopt: 0 });
  const removed = Object.keys(before.profiles).filter((n) => !next.profiles[n]);
  const added: string[] = [];
  const changed: string[] = [];
  for (const [name, binding] of Object.entries(next.profiles)) {
    if (!before.profiles[name]) added.push(name);
    else if (comparable(before.profiles[name]) !== comparable(binding)) changed.push(name);
  }
  return { removed, changed, added };
}

/**
 * Watches the AWS files and the settings file; on a change (in the refresh queue, so never in
 * the middle of the engine's own write) takes up the settings and restores edited profiles.
 */
export async function watchOutsideEdits(
  ctx: ReconcileContext & {
    settingsPath?: string;
    serialize<T>(work: () => Promise<T>): Promise<T>;
    reloadSettings(): Promise<unknown>;
    changed(): void;
  },
): Promise<FileWatcher> {
  const paths = ctx.services.awsPaths();
  const watched = [paths.credentialsFile, paths.configFile, ctx.settingsPath];
  const react = async (changed: ReadonlySet<string>) => {
    if (ctx.settingsPath !== undefined && changed.has(resolve(ctx.settingsPath)))
      await ctx.reloadSettings();
    const edited = await editedProfiles(ctx.settings(), ctx.book, ctx.services);
    await reconcileEdits(ctx, edited);
    if (edited.length > 0) ctx.changed();
  };
  const watcher = watchFiles(
    watched.filter((p) => p !== undefined),
    (changed) =>
      void ctx
        .serialize(() => react(changed))
        .catch((error: unknown) =>
          ctx.logger.warn(`while checking the files: ${(error as Error).message}`),
        ),
  );
  await watcher.ready;
  return watcher;
}

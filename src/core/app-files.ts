import { readdir, rm, rmdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { resolveAwsFilePaths } from './aws/file-paths.js';
import type { AwsFilePathSources } from './aws/file-paths.js';
import { backupPathOf, lockPathOf } from './aws/file-replacement.js';
import { TEAM_CA_NAME } from './team-setup.js';

/**
 * The files the app and the CLI write, for `vault-aws-tray reset` (docs/team-settings.md): in the
 * settings folder, and beside the AWS files. An adoption backup (`*-adopted-*.bak`) holds the
 * user's own text from before the app took a profile over, so reset leaves it and says where.
 */
const SETTINGS_FOLDER_FILES = [
  'config.json', // the settings (src/core/settings-file.ts)
  'tokens.json', // the CLI's and daemon's token (src/cli/stores/token-file.ts)
  'tokens.safe.json', // the app's token, encrypted by the OS (src/main/tray-app.ts)
  'state.json', // expiries and the session as last seen (src/core/engine/state-file.ts)
  'credentials-cache.json', // src/core/engine/credential-cache.ts
  'memory-only-token.told', // src/main/tray-app.ts
];

/** A running engine's own files: left to it while it runs. */
const ENGINE_FILES = ['engine.lock', 'engine.sock', 'engine.token'];

export interface RemovedFiles {
  removed: string[];
  /** Adoption backups left where they are. */
  kept: string[];
}

async function removeIfThere(path: string, removed: string[]): Promise<void> {
  try {
    await rm(path);
    removed.push(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/**
 * Removes what the app wrote besides the managed sections (which the engine removes): the
 * settings folder's files, and the backups and locks beside the AWS files. The folder itself goes
 * when nothing else is left in it.
 */
export async function removeAppFiles(
  configDir: string,
  awsSources: AwsFilePathSources,
  options: { engineRunning: boolean },
): Promise<RemovedFiles> {
  const aws = resolveAwsFilePaths(awsSources);
  const removed: string[] = [];
  const names = [...SETTINGS_FOLDER_FILES, ...(options.engineRunning ? [] : ENGINE_FILES)];
  for (const name of names) await removeIfThere(join(configDir, name), removed);
  // A team file's inline CA (teamCaFile in src/core/team-setup.ts).
  const present = await readdir(configDir).catch(() => [] as string[]);
  for (const name of present.filter((n) => TEAM_CA_NAME.test(n)))
    await removeIfThere(join(configDir, name), removed);
  const kept: string[] = [];
  for (const target of [aws.credentialsFile, aws.configFile]) {
    await removeIfThere(backupPathOf(target), removed);
    await removeIfThere(lockPathOf(target), removed);
    const adopted = `${basename(backupPathOf(target)).replace(/\.bak$/, '')}-adopted-`;
    const siblings = await readdir(dirname(target)).catch(() => [] as string[]);
    kept.push(
      ...siblings.filter((n) => n.startsWith(adopted)).map((n) => join(dirname(target), n)),
    );
  }
  await rmdir(configDir).catch(() => undefined);
  return { removed, kept };
}

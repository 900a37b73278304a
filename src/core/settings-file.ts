import { makePrivateFolder } from './private-file.js';
import { PRODUCT_NAME } from '../shared/app.js';
import { parseSettings, SettingsError } from '../shared/settings.js';
import type { Settings } from '../shared/settings.js';
import type { SettingsStore } from './ports.js';

/** What conf (the CLI) and electron-store (the app, conf underneath) give: the file's object. */
export interface StoreFile {
  store: Record<string, unknown>;
  readonly path: string;
}

/** Both open `config.json` in the settings folder with these, so they share one file. */
export function settingsFileOptions(configDir: string) {
  return {
    projectName: PRODUCT_NAME,
    cwd: configDir,
    configName: 'config',
    configFileMode: 0o600,
    clearInvalidConfig: false,
  } as const;
}

/**
 * The settings file, written atomically by conf, validated by the one schema in
 * src/shared/settings.ts. `open` makes the conf or electron-store instance.
 */
export class FileSettingsStore implements SettingsStore {
  private readonly file: StoreFile;

  constructor(
    configDir: string,
    open: (options: ReturnType<typeof settingsFileOptions>) => StoreFile,
  ) {
    makePrivateFolder(configDir);
    try {
      this.file = open(settingsFileOptions(configDir));
    } catch (error) {
      // conf throws the file system's own errors as they are; only a parse failure is about JSON.
      if (!(error instanceof SyntaxError)) throw error;
      throw new SettingsError(
        `${configDir}/config.json is not valid JSON (${(error as Error).message.split('\n')[0]})`,
      );
    }
  }

  get path(): string {
    return this.file.path;
  }

  read(): Settings {
    return parseSettings(this.file.store, this.file.path);
  }

  update(change: (current: Settings) => Settings): Settings {
    const next = parseSettings(change(this.read()), this.file.path);
    this.file.store = next as unknown as Record<string, unknown>;
    return next;
  }
}

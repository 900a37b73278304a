import { mkdirSync } from 'node:fs';
import Conf from 'conf';
import type { SettingsStore } from '../../core/ports.js';
import { parseSettings, SettingsError } from '../../shared/settings.js';
import type { Settings } from '../../shared/settings.js';

/**
 * The settings file through `conf`, as the tray app reaches the same file through electron-store
 * (conf underneath): `config.json` in the settings folder, written atomically, validated by the
 * one schema in src/shared/settings.ts.
 */
export class ConfSettingsStore implements SettingsStore {
  private readonly conf: Conf<Record<string, unknown>>;

  constructor(configDir: string) {
    mkdirSync(configDir, { recursive: true, mode: 0o700 });
    try {
      this.conf = new Conf({
        projectName: 'vault-aws-tray',
        cwd: configDir,
        configName: 'config',
        configFileMode: 0o600,
        clearInvalidConfig: false,
      });
    } catch (error) {
      throw new SettingsError(
        `${configDir}/config.json is not valid JSON (${(error as Error).message.split('\n')[0]})`,
      );
    }
  }

  get path(): string {
    return this.conf.path;
  }

  read(): Settings {
    return parseSettings(this.conf.store, this.conf.path);
  }

  update(change: (current: Settings) => Settings): Settings {
    const next = parseSettings(change(this.read()), this.conf.path);
    this.conf.store = next as unknown as Record<string, unknown>;
    return next;
  }
}

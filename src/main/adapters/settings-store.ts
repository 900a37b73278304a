import ElectronStore from 'electron-store';
import { FileSettingsStore } from '../../core/settings-file.js';

/** The CLI's settings file and schema, through electron-store (conf underneath). */
export function electronSettingsStore(configDir: string): FileSettingsStore {
  return new FileSettingsStore(
    configDir,
    (options) => new ElectronStore<Record<string, unknown>>(options),
  );
}

import Conf from 'conf';
import { FileSettingsStore } from '../../core/settings-file.js';

/** The settings file through `conf`, as the tray app reaches it through electron-store. */
export function confSettingsStore(configDir: string): FileSettingsStore {
  return new FileSettingsStore(configDir, (options) => new Conf<Record<string, unknown>>(options));
}

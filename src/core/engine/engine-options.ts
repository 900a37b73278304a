import type { Notifier, PowerEvents, SecretStore, SettingsStore } from '../ports.js';
import type { CredentialMemory } from './credential-cache.js';
import type { EngineHost } from './engine-services.js';
import type { TimeFormat } from './notification-policy.js';
import type { StateFile } from './state-file.js';

/** What a host (the daemon, the app, a CLI command) gives the engine it runs. */
export interface EngineOptions {
  /** `none`: the one-shot engine of a CLI command (no timers, no watching, a file cache). */
  kind: 'daemon' | 'app' | 'none';
  host: EngineHost;
  settings: SettingsStore;
  /** The settings file, watched for changes made by another program. */
  settingsPath?: string;
  secrets: SecretStore;
  /** The file the secrets live in, when they do (doctor checks its mode). */
  secretsPath?: string;
  state: StateFile;
  notifier?: Notifier;
  /** Where credentials handed out are kept between requests (memory by default). */
  memory?: CredentialMemory;
  power?: PowerEvents;
  /** The plain-Node daemon has no powerMonitor: it checks the wall clock once a minute instead. */
  driftCheck?: boolean;
  /** Watch the AWS files and the settings file (a running engine; off in some tests). */
  watch?: boolean;
  random?: () => number;
  timeFormat?: TimeFormat;
}

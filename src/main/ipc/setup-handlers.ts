import type { EngineApi } from '../../core/engine/engine-api.js';
import type { EngineHost } from '../../core/engine/engine-services.js';
import type { SettingsStore } from '../../core/ports.js';
import { connectionFor, vaultClientFor } from '../../core/vault/connection.js';
import { VaultError } from '../../core/vault/errors.js';
import type { AwsFilePaths } from '../../core/aws/file-paths.js';
import type { AppInfo, Connection, Preferences } from '../../shared/ipc.js';
import type { Settings } from '../../shared/settings.js';
import type { IpcHandlers } from '../ipc-handlers.js';

type SetupChannels = 'app:info' | 'setup:get' | 'setup:save-connection' | 'setup:save-settings';

export interface SetupDeps {
  host: EngineHost;
  /** Saves the connection: the engine takes it up (a new Vault, a new session). */
  engine: Pick<EngineApi, 'connect'>;
  settings: SettingsStore;
  awsPaths(): AwsFilePaths;
  /** The engine takes up the settings just saved (what it answers is not the window's). */
  reloadSettings(): Promise<unknown>;
  startAtLogin: { enabled(): boolean; set(on: boolean): Promise<void> };
  appInfo(): AppInfo;
}

/** The saved Vault settings as the Connect screen shows them. */
export function connectionOf(settings: Settings): Connection | undefined {
  const v = settings.vault;
  if (!v) return undefined;
  return {
    address: v.address,
    namespace: v.namespace,
    authMethod: v.authMethod,
    authMount: v.authMount,
    authRole: v.authRole,
    issuer: v.issuer,
    clientId: v.clientId,
    caFile: v.caFile,
    callbackPort: v.callbackPort,
    proxy: v.proxy,
  };
}

/** The Connect and Settings screens: what is saved, and saving it. */
export function setupHandlers(deps: SetupDeps): Pick<IpcHandlers, SetupChannels> {
  const { settings } = deps;
  return {
    'app:info': () => deps.appInfo(),
    'setup:get': () => {
      const s = settings.read();
      const preferences: Preferences = {
        leadMinutes:
          s.engine.leadSeconds === undefined ? undefined : Math.round(s.engine.leadSeconds / 60),
        notifications: s.engine.notifications,
        startAtLogin: deps.startAtLogin.enabled(),
        credentialsFile: s.files.credentialsFile,
        configFile: s.files.configFile,
        externalEdits: s.engine.externalEdits,
        consoleBrowser: s.console.browser,
      };
      return { connection: connectionOf(s), preferences, files: deps.awsPaths() };
    },
    'setup:save-connection': async (connection) => {
      const current = settings.read();
      const vault = { ...connection, skipVerify: false, scopes: current.vault?.scopes };
      // Tell now, in words, when this Vault cannot be reached or used, rather than at the sign-in.
      // Other answers (a health endpoint a namespace or a proxy treats its own way) do not block.
      try {
        await vaultClientFor(connectionFor(vault, deps.host), deps.host).health();
      } catch (error) {
        const blocking = ['network', 'tls', 'timeout', 'sealed'];
        if (!(error instanceof VaultError) || blocking.includes(error.kind))
          throw new Error((error as Error).message, { cause: error });
      }
      await deps.engine.connect(vault);
    },
    'setup:save-settings': async (p) => {
      settings.update((s) => ({
        ...s,
        engine: {
          ...s.engine,
          leadSeconds: p.leadMinutes === undefined ? undefined : p.leadMinutes * 60,
          notifications: p.notifications,
          externalEdits: p.externalEdits,
        },
        files: { ...s.files, credentialsFile: p.credentialsFile, configFile: p.configFile },
        console: { ...s.console, browser: p.consoleBrowser },
      }));
      await deps.reloadSettings();
      if (p.startAtLogin !== deps.startAtLogin.enabled())
        await deps.startAtLogin.set(p.startAtLogin);
    },
  };
}

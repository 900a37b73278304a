/**
 * The contract between the main process and the window: channel names and the typed API the
 * preload exposes as `window.api`. The renderer reaches main only through this.
 */
export const IPC_CHANNELS = {
  appInfo: 'app:info',
} as const;

export interface AppInfo {
  name: string;
  version: string;
}

export interface Api {
  getAppInfo(): Promise<AppInfo>;
}

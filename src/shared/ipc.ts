/**
 * The contract between the main process and the window: channel names and the typed API the
 * preload exposes as `window.api` (the payloads main accepts are in ipc-payloads.ts, which keeps
 * zod out of the preload). The renderer reaches main only through this.
 */
import type { AppStatus } from './app-status.js';

export const IPC_CHANNELS = {
  appInfo: 'app:info',
  status: 'status:get',
  refresh: 'profiles:refresh',
  signIn: 'session:sign-in',
  signOut: 'session:sign-out',
} as const;

/** Pushed by main to the window on every change of AppState. */
export const IPC_EVENTS = {
  statusChanged: 'status:changed',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

export interface AppInfo {
  name: string;
  version: string;
}

/** A refresh as the window shows it: per profile, fresh until when, or why not. */
export interface RefreshSummary {
  profiles: Array<{ profile: string; ok: boolean; expiresAt?: string; message?: string }>;
  signInNeeded: boolean;
}

export interface Api {
  getAppInfo(): Promise<AppInfo>;
  getStatus(): Promise<AppStatus>;
  refresh(profiles?: string[]): Promise<RefreshSummary>;
  signIn(): Promise<AppStatus>;
  signOut(): Promise<AppStatus>;
  /** Calls back on every change of AppState; returns the function that stops it. */
  onStatus(listener: (status: AppStatus) => void): () => void;
}

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
  cancelSignIn: 'session:cancel-sign-in',
  submitTotp: 'session:totp',
  signOut: 'session:sign-out',
  getSetup: 'setup:get',
  saveConnection: 'setup:save-connection',
  saveSettings: 'setup:save-settings',
  discoverRoles: 'roles:discover',
  checkProfile: 'profiles:check',
  addProfiles: 'profiles:add',
  removeProfile: 'profiles:remove',
  copyExports: 'profiles:copy-exports',
} as const;

export type IpcChannel = (typeof IPC_CHANNELS)[keyof typeof IPC_CHANNELS];

/** Pushed by main to the window. */
export const IPC_EVENTS = {
  statusChanged: 'status:changed',
  signIn: 'session:sign-in-event',
} as const;

export interface AppInfo {
  name: string;
  version: string;
  /** VAULT_ADDR as the app saw it at start, to prefill the Connect screen. */
  vaultAddrFromEnv?: string;
}

export type AuthMethod = 'oidc' | 'jwt' | 'token';

/** The Connect screen: where Vault is and how to sign in (defaults as the vault CLI's). */
export interface Connection {
  address: string;
  namespace: string;
  authMethod: AuthMethod;
  /** The auth method's mount: `oidc`, `jwt`; absent means that default. */
  authMount?: string;
  authRole?: string;
  /** jwt: the identity provider and the app's client ID there. */
  issuer?: string;
  clientId?: string;
  caFile?: string;
  /** oidc: the loopback callback port (8250 when absent). */
  callbackPort?: number;
  proxy?: string;
}

/** The Settings screen. */
export interface Preferences {
  /** Refresh this many minutes before expiry; absent means a third of the lifetime. */
  leadMinutes?: number;
  notifications: boolean;
  startAtLogin: boolean;
  credentialsFile?: string;
  configFile?: string;
  externalEdits: 'restore' | 'detach';
}

export interface Setup {
  connection?: Connection;
  preferences: Preferences;
  /** The AWS files in use (after the settings and AWS_* variables). */
  files: { credentialsFile: string; configFile: string };
}

/** A sign-in's progress, pushed while it runs. */
export type SignInEvent =
  | { kind: 'waiting-for-browser'; url: string }
  | { kind: 'mfa-required'; question: string }
  | { kind: 'finished' }
  | { kind: 'failed'; message: string };

export interface DiscoveredRole {
  mount: string;
  name: string;
  /** May this token read its credentials (sys/capabilities-self)? */
  readable: boolean;
  credentialTypes: string[];
  roleArns: string[];
  defaultStsTtlSeconds: number;
}

export interface Discovery {
  roles: DiscoveredRole[];
  /** Listing was denied (common): the user types mount and role by hand. */
  listingDenied: boolean;
  message?: string;
}

export interface NewProfile {
  name: string;
  mount: string;
  role: string;
  endpoint: 'creds' | 'sts';
  roleArn?: string;
  region?: string;
  ttlMinutes?: number;
  delivery: 'file' | 'process';
  /** Take over an existing profile of this name (its old text is backed up). */
  adopt: boolean;
}

/** What the Choose roles screen says about a profile name before adding it. */
export interface ProfileCheck {
  /** Why the name cannot be used, or undefined. */
  problem?: string;
  /** An existing section of this name the app does not manage would be adopted. */
  exists: boolean;
  /** Settings elsewhere that would hide or mix with the managed keys. */
  shadowing: string[];
}

/** A refresh as the window shows it: per profile, fresh until when, or why not. */
export interface RefreshSummary {
  profiles: Array<{ profile: string; ok: boolean; expiresAt?: string; message?: string }>;
  signInNeeded: boolean;
}

export interface Api {
  getAppInfo(): Promise<AppInfo>;
  getStatus(): Promise<AppStatus>;
  /** Calls back on every change of AppState; returns the function that stops it. */
  onStatus(listener: (status: AppStatus) => void): () => void;
  getSetup(): Promise<Setup>;
  /** Checks and saves the connection; rejects with a sentence saying what is wrong. */
  saveConnection(connection: Connection): Promise<void>;
  savePreferences(preferences: Preferences): Promise<void>;
  /** Signs in with the saved connection; `token` for the token method. */
  signIn(token?: string): Promise<AppStatus>;
  cancelSignIn(): Promise<void>;
  submitTotp(code: string): Promise<void>;
  onSignInEvent(listener: (event: SignInEvent) => void): () => void;
  signOut(): Promise<AppStatus>;
  discoverRoles(): Promise<Discovery>;
  checkProfile(name: string): Promise<ProfileCheck>;
  addProfiles(profiles: NewProfile[]): Promise<RefreshSummary>;
  removeProfile(name: string, deleteSections: boolean): Promise<void>;
  refresh(profiles?: string[]): Promise<RefreshSummary>;
  copyExports(profile: string): Promise<void>;
}

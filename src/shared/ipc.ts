/**
 * The contract between the main process and the window, as one typed map: each channel's payload
 * and result (IpcContract), the window's method for it (IPC_METHODS), and what main pushes
 * (IPC_EVENTS). The preload's `window.api` (src/preload/index.ts), main's handlers
 * (src/main/ipc-handlers.ts) and the payload schemas (ipc-payloads.ts, which keeps zod out of the
 * preload) all follow from these, so tsc names whatever a new channel still lacks.
 */
import type { AppStatus } from './app-status.js';

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
  /** The browser command for the AWS console (`{url}` where the address goes); the OS's when absent. */
  consoleBrowser?: string;
}

export interface Setup {
  connection?: Connection;
  preferences: Preferences;
  /** The AWS files in use (after the settings and AWS_* variables). */
  files: { credentialsFile: string; configFile: string };
}

/** A team settings file as the Connect screen shows it before it is applied. */
export interface TeamFilePreview {
  /** The file's path. */
  source: string;
  /** What applying it changes, one line each (src/core/team-setup.ts describePlan). */
  lines: string[];
  /** Why it cannot be applied; empty when it can. */
  problems: string[];
  /** It changes settings or profiles that exist (not only adds). */
  changesExisting: boolean;
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

/** Each channel main handles: what the window sends (undefined: nothing) and what it gets back. */
export interface IpcContract {
  'app:info': { payload: undefined; result: AppInfo };
  'status:get': { payload: undefined; result: AppStatus };
  'setup:get': { payload: undefined; result: Setup };
  /** Checks and saves the connection; refused with a sentence saying what is wrong. */
  'setup:save-connection': { payload: Connection; result: void };
  'setup:save-settings': { payload: Preferences; result: void };
  /** The OS file picker for a team file, then its preview; null when the picker was cancelled. */
  'setup:choose-team-file': { payload: undefined; result: TeamFilePreview | null };
  /** Applies the file chosen last (main keeps it; the window never names a path). */
  'setup:apply-team-file': { payload: undefined; result: { connection?: Connection } };
  /** Signs in with the saved connection; `token` for the token method. */
  'session:sign-in': { payload: { token?: string }; result: AppStatus };
  'session:cancel-sign-in': { payload: undefined; result: void };
  'session:totp': { payload: { code: string }; result: void };
  'session:sign-out': { payload: undefined; result: AppStatus };
  'roles:discover': { payload: undefined; result: Discovery };
  'profiles:check': { payload: { name: string }; result: ProfileCheck };
  'profiles:add': { payload: { profiles: NewProfile[] }; result: RefreshSummary };
  'profiles:remove': { payload: { name: string; deleteSections: boolean }; result: void };
  /** Absent `profiles`: every managed profile. */
  'profiles:refresh': { payload: { profiles?: string[] }; result: RefreshSummary };
  'profiles:copy-exports': { payload: { profile: string }; result: void };
  /** Opens the AWS console signed in as the profile's role, in the browser. */
  'profiles:open-console': { payload: { profile: string }; result: void };
}

export type IpcChannel = keyof IpcContract;

/** The window's name for each channel: `window.api[method](payload)` invokes it. */
export const IPC_METHODS = {
  getAppInfo: 'app:info',
  getStatus: 'status:get',
  getSetup: 'setup:get',
  saveConnection: 'setup:save-connection',
  savePreferences: 'setup:save-settings',
  chooseTeamFile: 'setup:choose-team-file',
  applyTeamFile: 'setup:apply-team-file',
  signIn: 'session:sign-in',
  cancelSignIn: 'session:cancel-sign-in',
  submitTotp: 'session:totp',
  signOut: 'session:sign-out',
  discoverRoles: 'roles:discover',
  checkProfile: 'profiles:check',
  addProfiles: 'profiles:add',
  removeProfile: 'profiles:remove',
  refresh: 'profiles:refresh',
  copyExports: 'profiles:copy-exports',
  openConsole: 'profiles:open-console',
} as const satisfies Record<string, IpcChannel>;

export type IpcMethod = keyof typeof IPC_METHODS;

/**
 * The methods' channels as a list. While a channel of IpcContract has no method in IPC_METHODS,
 * tsc refuses the call below, naming it: "missing ... 'no method for <channel>'".
 */
function channelsOf<M extends Record<string, IpcChannel>>(
  methods: M & Record<`no method for ${Exclude<IpcChannel, M[keyof M]>}`, never>,
): IpcChannel[] {
  return Object.values(methods);
}

/** Every channel, once per method: what main registers a handler for. */
export const IPC_CHANNELS: readonly IpcChannel[] = channelsOf(IPC_METHODS);

/** Pushed by main to the window. */
export const IPC_EVENTS = {
  statusChanged: 'status:changed',
  signIn: 'session:sign-in-event',
} as const satisfies Record<string, IpcEvent>;

/** What each pushed event carries. */
export interface IpcEventContract {
  'status:changed': AppStatus;
  'session:sign-in-event': SignInEvent;
}

export type IpcEvent = keyof IpcEventContract;

/** The window's subscriptions: each calls back on its event and returns the function that stops it. */
export const IPC_SUBSCRIPTIONS = {
  /** Every change of AppState. */
  onStatus: IPC_EVENTS.statusChanged,
  /** A sign-in's progress, while it runs. */
  onSignInEvent: IPC_EVENTS.signIn,
} as const satisfies Record<string, IpcEvent>;

type Call<C extends IpcChannel> = [IpcContract[C]['payload']] extends [undefined]
  ? () => Promise<IpcContract[C]['result']>
  : (payload: IpcContract[C]['payload']) => Promise<IpcContract[C]['result']>;

type Subscribe<E extends IpcEvent> = (listener: (value: IpcEventContract[E]) => void) => () => void;

/** `window.api`: one method per entry of IPC_METHODS and IPC_SUBSCRIPTIONS. */
export type Api = { [M in IpcMethod]: Call<(typeof IPC_METHODS)[M]> } & {
  [S in keyof typeof IPC_SUBSCRIPTIONS]: Subscribe<(typeof IPC_SUBSCRIPTIONS)[S]>;
};

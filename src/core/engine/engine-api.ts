/**
 * The one interface every front end talks to (docs/architecture.md): the CLI's commands, the
 * socket server and, through the running engine, the tray and the window. Three things implement
 * it: the running engine (daemon or tray app), the one-shot engine the CLI makes when none runs
 * (the same Engine class, without timers), and the socket client that asks a running engine.
 * Only types here: the `credential-process` fast path loads it.
 */
import type { AppStatus } from '../../shared/app-status.js';
import type { NewBinding, VaultSettings } from '../../shared/settings.js';
import type { HandedOutCredentials } from '../aws/credential-output.js';
import type { Discovery, ProfileCheck } from '../../shared/ipc.js';

export type EngineKind = AppStatus['engine'];

/** Which engine answered: `none` is the one-shot engine of a CLI command. */
export interface EngineStatus {
  status: AppStatus;
  pid: number | null;
}

/** A refresh's result as front ends show it: expiries and reasons, no key material. */
export interface RefreshReport {
  outcomes: Array<
    | {
        profile: string;
        ok: true;
        expiresAt: number;
        grantedTtlSeconds: number;
        warnings: string[];
      }
    | { profile: string; ok: false; kind: string; message: string }
  >;
  shadowing: string[];
  signInNeeded: boolean;
  clockSkewMs?: number;
}

/** Why a saved profile was not written now. */
export type Waiting = 'sign-in' | 'refresh';

export interface AddProfilesReport {
  added: string[];
  /** Settings elsewhere in the AWS files that hide or mix with the managed keys. */
  shadowing: string[];
  warnings: string[];
  /** The write of the new profiles, when they were written now. */
  refresh?: RefreshReport;
  waiting?: Waiting;
}

/** What `profile set` may change; null clears an optional field. */
export interface ProfileChange {
  delivery?: 'file' | 'process';
  region?: string | null;
  ttlSeconds?: number | null;
  leadSeconds?: number | null;
  endpoint?: 'creds' | 'sts';
  roleArn?: string | null;
}

export interface SetProfileReport {
  name: string;
  /** False when the profile already was as asked. */
  changed: boolean;
  refresh?: RefreshReport;
  waiting?: Waiting;
}

export interface RemoveProfileReport {
  name: string;
  /** Its sections were removed from the AWS files. */
  hadSections: boolean;
}

/** A profile's binding as `profile list` shows it. */
export interface ListedProfile {
  name: string;
  mount: string;
  role: string;
  endpoint: 'creds' | 'sts';
  ttlSeconds: number | null;
  leadSeconds: number | null;
  roleArn: string | null;
  region: string | null;
  delivery: 'file' | 'process';
}

/** A token from a sign-in made by the front end (the browser flow needs its terminal or window). */
export interface SignInRequest {
  token: string;
  /** The Vault and sign-in settings to keep from now on. */
  vault: VaultSettings;
}

export interface SignInReport {
  session: AppStatus['session'];
  /** Saved profiles written now (those not yet written, or expired). */
  refresh?: RefreshReport;
}

/** What `connect` did with the Vault settings it was given. */
export interface ConnectReport {
  address: string;
  /** False when the same settings were saved already. */
  changed: boolean;
  session: AppStatus['session']['state'];
}

export interface SignOutReport {
  address: string | null;
  wasSignedIn: boolean;
}

export interface HandOut {
  credentials: HandedOutCredentials;
  region: string | null;
}

export interface DoctorFinding {
  level: 'ok' | 'warn' | 'error';
  check: string;
  message: string;
}

/** The checks, as seen by the engine that ran them. */
export interface DoctorReport {
  engine: EngineKind;
  pid: number | null;
  findings: DoctorFinding[];
}

/** Lines a long operation says before its result (a sign-in writing profiles). */
export type Progress = (line: string) => void;

export interface EngineApi {
  status(): Promise<EngineStatus>;
  listProfiles(): Promise<ListedProfile[]>;
  /** A user's refresh: full fresh credentials now for `profiles` (all when absent). */
  refresh(profiles?: string[]): Promise<RefreshReport>;
  /** A profile's credentials for credential_process, env and exec (never a browser). */
  credentials(profile: string): Promise<HandOut>;
  addProfiles(
    profiles: Array<{ name: string; binding: NewBinding }>,
    options: { refresh: boolean },
  ): Promise<AddProfilesReport>;
  setProfile(name: string, change: ProfileChange): Promise<SetProfileReport>;
  removeProfile(name: string, options: { keepSections: boolean }): Promise<RemoveProfileReport>;
  signIn(request: SignInRequest, progress?: Progress): Promise<SignInReport>;
  /**
   * Saves where Vault is and how to sign in, without a token (the window's Connect screen, a team
   * file). Another Vault than the saved one ends the session with the old one here.
   */
  connect(vault: VaultSettings): Promise<ConnectReport>;
  signOut(): Promise<SignOutReport>;
  /** `vault`: a Vault to check when none is saved yet (the one `login` would sign in to). */
  doctor(vault?: VaultSettings): Promise<DoctorReport>;
  discoverRoles(): Promise<Discovery>;
  checkProfile(name: string): Promise<ProfileCheck>;
}

/**
 * Every operation and how many arguments it takes on the wire (progress travels as lines, not
 * as an argument): the socket client and server are both made from this table.
 */
export const ENGINE_OPERATIONS = {
  status: 0,
  listProfiles: 0,
  refresh: 1,
  credentials: 1,
  addProfiles: 2,
  setProfile: 2,
  removeProfile: 2,
  signIn: 1,
  connect: 1,
  signOut: 0,
  doctor: 1,
  discoverRoles: 0,
  checkProfile: 1,
} as const satisfies Record<keyof EngineApi, number>;

export type EngineOperation = keyof EngineApi;

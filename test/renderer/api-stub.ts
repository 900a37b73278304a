import { vi, type Mock } from 'vitest';
import type { AppStatus } from '../../src/shared/app-status.js';
import type { Api, Setup, SignInEvent } from '../../src/shared/ipc.js';

/** Every method of `Api` as a mock of its own signature: a method added to Api must be added here. */
export type ApiStub = { [K in keyof Api]: Mock<Api[K]> };

type ProfileStatus = AppStatus['profiles'][number];

export const NOW = Date.parse('2030-05-06T12:00:00Z');
const at = (offsetMs: number) => new Date(NOW + offsetMs).toISOString();

export function signedOut(): AppStatus {
  return {
    version: 1,
    generatedAt: at(0),
    engine: 'app',
    session: {
      state: 'signed_out',
      address: null,
      namespace: null,
      displayName: null,
      user: null,
      policies: [],
      expiresAt: null,
    },
    profiles: [],
  };
}

export function profile(changes: Partial<ProfileStatus> = {}): ProfileStatus {
  return {
    name: 'dev',
    state: 'fresh',
    mount: 'aws',
    role: 'dev',
    endpoint: 'creds',
    delivery: 'file',
    region: 'eu-west-1',
    expiresAt: at(60 * 60_000),
    grantedTtlSeconds: 3600,
    leadSeconds: 1200,
    lastRefreshAt: at(0),
    nextRefreshAt: at(40 * 60_000),
    lastError: null,
    ...changes,
  };
}

export function signedIn(profiles: ProfileStatus[] = [profile()]): AppStatus {
  return {
    ...signedOut(),
    session: {
      state: 'active',
      address: 'https://vault.example.com:8200',
      namespace: 'team',
      displayName: 'oidc-alice',
      user: 'alice@example.com',
      policies: ['default', 'aws-dev'],
      expiresAt: at(8 * 3600_000),
    },
    profiles,
  };
}

export function setup(changes: Partial<Setup> = {}): Setup {
  return {
    connection: {
      address: 'https://vault.example.com:8200',
      namespace: 'team',
      authMethod: 'oidc',
    },
    preferences: { notifications: true, startAtLogin: false, externalEdits: 'restore' },
    files: {
      credentialsFile: '/home/alice/.aws/credentials',
      configFile: '/home/alice/.aws/config',
    },
    ...changes,
  };
}

/**
 * A `window.api` for component tests: each call answers like a signed-in app with one profile
 * unless a test says otherwise; `push` and `signInEvent` play main's side of the subscriptions.
 */
export function apiStub(): ApiStub & {
  push(status: AppStatus): void;
  signInEvent(event: SignInEvent): void;
  /** How many listeners are subscribed now. */
  listening(): number;
} {
  const statusListeners = new Set<(status: AppStatus) => void>();
  const signInListeners = new Set<(event: SignInEvent) => void>();
  const stub: ApiStub = {
    getAppInfo: vi.fn<Api['getAppInfo']>(async () => ({
      name: 'vault-aws-tray',
      version: '1.2.3',
    })),
    getStatus: vi.fn<Api['getStatus']>(async () => signedIn()),
    onStatus: vi.fn<Api['onStatus']>((listener) => {
      statusListeners.add(listener);
      return () => statusListeners.delete(listener);
    }),
    getSetup: vi.fn<Api['getSetup']>(async () => setup()),
    saveConnection: vi.fn<Api['saveConnection']>(async () => undefined),
    savePreferences: vi.fn<Api['savePreferences']>(async () => undefined),
    chooseTeamFile: vi.fn<Api['chooseTeamFile']>(async () => null),
    applyTeamFile: vi.fn<Api['applyTeamFile']>(async () => ({})),
    signIn: vi.fn<Api['signIn']>(async () => signedIn()),
    cancelSignIn: vi.fn<Api['cancelSignIn']>(async () => undefined),
    submitTotp: vi.fn<Api['submitTotp']>(async () => undefined),
    onSignInEvent: vi.fn<Api['onSignInEvent']>((listener) => {
      signInListeners.add(listener);
      return () => signInListeners.delete(listener);
    }),
    signOut: vi.fn<Api['signOut']>(async () => signedOut()),
    discoverRoles: vi.fn<Api['discoverRoles']>(async () => ({ roles: [], listingDenied: false })),
    checkProfile: vi.fn<Api['checkProfile']>(async () => ({ exists: false, shadowing: [] })),
    addProfiles: vi.fn<Api['addProfiles']>(async ({ profiles }) => ({
      profiles: profiles.map((p) => ({ profile: p.name, ok: true, expiresAt: at(3600_000) })),
      signInNeeded: false,
    })),
    removeProfile: vi.fn<Api['removeProfile']>(async () => undefined),
    refresh: vi.fn<Api['refresh']>(async ({ profiles: names }) => ({
      profiles: (names ?? ['dev']).map((name) => ({ profile: name, ok: true })),
      signInNeeded: false,
    })),
    copyExports: vi.fn<Api['copyExports']>(async () => undefined),
    openConsole: vi.fn<Api['openConsole']>(async () => undefined),
  };
  return {
    ...stub,
    push: (status) => statusListeners.forEach((listener) => listener(status)),
    signInEvent: (event) => signInListeners.forEach((listener) => listener(event)),
    listening: () => statusListeners.size + signInListeners.size,
  };
}

import { CredentialsFileError } from '../core/aws/errors.js';
import type { Engine } from '../core/engine/engine.js';
import { refreshReport } from '../core/engine/refresh.js';
import type { RefreshResult } from '../core/engine/refresh.js';
import type { SettingsStore } from '../core/ports.js';
import {
  allowsCredentials,
  capabilitiesOf,
  listAwsMounts,
  listAwsRoles,
  readAwsRole,
} from '../core/vault/discovery.js';
import { VaultError } from '../core/vault/errors.js';
import type { VaultClient } from '../core/vault/client.js';
import type { AwsFilePaths } from '../core/aws/file-paths.js';
import type { CredentialsFileWriter } from '../core/aws/credentials-file-writer.js';
import type { AppStatus } from '../shared/app-status.js';
import { IPC_EVENTS } from '../shared/ipc.js';
import type {
  Connection,
  DiscoveredRole,
  Discovery,
  Preferences,
  RefreshSummary,
  SignInEvent,
} from '../shared/ipc.js';
import type { IpcPayload } from '../shared/ipc-payloads.js';
import { profileNameProblem } from '../shared/profile-name.js';
import { profileSettingsSchema } from '../shared/settings.js';
import type { Settings } from '../shared/settings.js';
import type { IpcHandlers } from './ipc-handlers.js';
import type { SignInHooks } from './app-vault.js';

export interface WindowApiDeps {
  engine: Engine;
  settings: SettingsStore;
  awsPaths(settings: Settings): AwsFilePaths;
  writer(settings: Settings): CredentialsFileWriter;
  /** A client without a token for a connection being saved (a health check). */
  client(settings: Settings): VaultClient;
  /** Sends a pushed event to the window, if one is open. */
  send(event: string, value: unknown): void;
  startAtLogin: { enabled(): boolean; set(on: boolean): Promise<void> };
  copyExports(profile: string): Promise<void>;
  /** The browser opener for sign-in pages (the allowlisted one). */
  signInBrowser: SignInHooks['browser'];
  /** Runs the engine's sign-in with these hooks for this attempt. */
  signIn(hooks: SignInHooks): Promise<AppStatus>;
  /** Vault asks for an MFA code: the window must be there to ask the user. */
  showSignIn(): void;
  appInfo(): { name: string; version: string; vaultAddrFromEnv?: string };
}

function summary(result: RefreshResult): RefreshSummary {
  const report = refreshReport(result);
  return {
    profiles: report.outcomes.map((o) =>
      o.ok
        ? { profile: o.profile, ok: true, expiresAt: new Date(o.expiresAt).toISOString() }
        : { profile: o.profile, ok: false, message: o.message },
    ),
    signInNeeded: report.signInNeeded,
  };
}

function connectionOf(settings: Settings): Connection | undefined {
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

/**
 * What the window may ask of main, channel by channel. Payloads arrive validated
 * (ipc-payloads.ts); refusals are sentences the window shows as they are.
 */
export function windowHandlers(deps: WindowApiDeps): IpcHandlers {
  const { engine, settings } = deps;
  let attempt:
    { controller: AbortController; totp?: (code: string | undefined) => void } | undefined;
  const tell = (event: SignInEvent) => deps.send(IPC_EVENTS.signIn, event);

  const signIn = async ({ token }: IpcPayload<'session:sign-in'>) => {
    attempt?.controller.abort();
    const controller = new AbortController();
    const current: NonNullable<typeof attempt> = { controller };
    attempt = current;
    try {
      const status = await deps.signIn({
        token,
        signal: controller.signal,
        browser: {
          async open(url) {
            tell({ kind: 'waiting-for-browser', url });
            await deps.signInBrowser.open(url);
          },
        },
        askTotp: (question) =>
          new Promise((resolve) => {
            current.totp = resolve;
            deps.showSignIn();
            tell({ kind: 'mfa-required', question });
            controller.signal.addEventListener('abort', () => resolve(undefined), { once: true });
          }),
      });
      if (status.session.state !== 'active' && status.session.state !== 'ending_soon')
        throw new Error('Vault did not accept the sign-in: the token is not valid');
      tell({ kind: 'finished' });
      return status;
    } catch (error) {
      const message = controller.signal.aborted ? 'Sign-in cancelled.' : (error as Error).message;
      tell({ kind: 'failed', message });
      throw new Error(message, { cause: error });
    } finally {
      if (attempt === current) attempt = undefined;
    }
  };

  const discoverRoles = async (): Promise<Discovery> => {
    const client = engine.sessionClient();
    let mounts: string[];
    try {
      mounts = await listAwsMounts(client);
    } catch (error) {
      if (error instanceof VaultError && error.kind === 'permission_denied')
        return {
          roles: [],
          listingDenied: true,
          message: 'Your policies do not let you list Vault’s secrets engines.',
        };
      throw error;
    }
    const roles: Array<Omit<DiscoveredRole, 'readable'>> = [];
    let denied = false;
    for (const mount of mounts) {
      let names: string[];
      try {
        names = await listAwsRoles(client, mount);
      } catch (error) {
        if (!(error instanceof VaultError && error.kind === 'permission_denied')) throw error;
        denied = true;
        continue;
      }
      // One read per role, at once: a mount with many roles should not take a round trip each.
      const infos = await Promise.all(
        names.map((name) =>
          readAwsRole(client, mount, name).catch((error: unknown) => {
            if (error instanceof VaultError && error.kind === 'permission_denied') return undefined;
            throw error;
          }),
        ),
      );
      names.forEach((name, i) =>
        roles.push({
          mount,
          name,
          credentialTypes: infos[i]?.credentialTypes ?? [],
          roleArns: infos[i]?.roleArns ?? [],
          defaultStsTtlSeconds: infos[i]?.defaultStsTtlSeconds ?? 0,
        }),
      );
    }
    const paths = roles.map((r) => `${r.mount}/creds/${r.name}`);
    const caps = paths.length > 0 ? await capabilitiesOf(client, paths) : {};
    return {
      roles: roles.map((r, i) => ({
        ...r,
        readable: allowsCredentials(caps[paths[i]!] ?? [], 'creds'),
      })),
      listingDenied: denied || mounts.length === 0,
      // When no role could be listed at all, the manual entry explains it.
      message:
        denied && roles.length > 0
          ? 'Your policies do not let you list the roles of some engines.'
          : undefined,
    };
  };

  return {
    'app:info': () => deps.appInfo(),
    'status:get': () => engine.status(),
    'profiles:refresh': async ({ profiles }) => summary(await engine.refreshNow(profiles)),
    'session:sign-in': signIn,
    'session:cancel-sign-in': () => {
      attempt?.controller.abort();
    },
    'session:totp': ({ code }) => {
      if (!attempt?.totp) throw new Error('Vault is not asking for a code now.');
      attempt.totp(code);
      attempt.totp = undefined;
    },
    'session:sign-out': async () => {
      await engine.signOut();
      return engine.status();
    },
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
      };
      return { connection: connectionOf(s), preferences, files: deps.awsPaths(s) };
    },
    'setup:save-connection': async (connection) => {
      const current = settings.read();
      const next: Settings = {
        ...current,
        vault: { ...connection, skipVerify: false, scopes: current.vault?.scopes },
      };
      // Tell now, in words, when this Vault cannot be reached or used, rather than at the sign-in.
      // Other answers (a health endpoint a namespace or a proxy treats its own way) do not block.
      try {
        await deps.client(next).health();
      } catch (error) {
        const blocking = ['network', 'tls', 'timeout', 'sealed'];
        if (!(error instanceof VaultError) || blocking.includes(error.kind))
          throw new Error((error as Error).message, { cause: error });
      }
      settings.update(() => next);
      await engine.reloadSettings();
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
      }));
      await engine.reloadSettings();
      if (p.startAtLogin !== deps.startAtLogin.enabled())
        await deps.startAtLogin.set(p.startAtLogin);
    },
    'roles:discover': discoverRoles,
    'profiles:check': async ({ name }) => {
      const problem = profileNameProblem(name);
      if (problem) return { problem, exists: false, shadowing: [] };
      const s = settings.read();
      if (s.profiles[name])
        return {
          problem: `profile ${name} is already managed by the app`,
          exists: false,
          shadowing: [],
        };
      try {
        const found = await deps.writer(s).inspect(name);
        return {
          exists: found.inCredentialsFile || found.inConfigFile,
          shadowing: found.shadowing.map((f) => f.message),
        };
      } catch (error) {
        if (error instanceof CredentialsFileError)
          return { problem: error.message, exists: false, shadowing: [] };
        throw error;
      }
    },
    'profiles:add': async ({ profiles }) => {
      const bindings = Object.fromEntries(
        profiles.map((p) => [
          p.name,
          profileSettingsSchema.parse({
            mount: p.mount,
            role: p.role,
            endpoint: p.endpoint,
            roleArn: p.roleArn,
            region: p.region,
            ttlSeconds: p.ttlMinutes === undefined ? undefined : p.ttlMinutes * 60,
            delivery: p.delivery,
            adopt: p.adopt,
          }),
        ]),
      );
      return summary(await engine.addProfiles(bindings));
    },
    'profiles:remove': async ({ name, deleteSections }) => {
      await engine.removeProfile(name, { keepSections: !deleteSections });
    },
    'profiles:copy-exports': ({ profile }) => deps.copyExports(profile),
  };
}

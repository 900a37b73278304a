import { Engine } from '../core/engine/engine.js';
import type { EngineOptions } from '../core/engine/engine.js';
import type * as Api from '../core/engine/engine-api.js';
import { NoEngineError, SocketEngine } from '../core/engine/engine-client.js';
import { CredentialCacheFile } from '../core/engine/credential-cache.js';
import type { EngineHost } from '../core/engine/engine-services.js';
import { StateFile } from '../core/engine/state-file.js';
import { acquireEngineLock, EngineLockedError } from '../core/engine/engine-lock.js';
import { EngineServeError, hostEngine } from '../core/engine/host-engine.js';
import type { HostedEngine } from '../core/engine/host-engine.js';
import type { Logger } from '../core/ports.js';
import type { VaultSettings } from '../shared/settings.js';
import { redactSecrets } from '../core/redact.js';
import { PRODUCT_NAME } from '../shared/app.js';
import { parseDuration } from '../shared/time-text.js';
import type { CliContext } from './context.js';
import { desktopNotifier } from './desktop-notifier.js';
import { failure, usageError } from './errors.js';

/** A logger that keeps quiet: a one-shot engine tells the user through its answers only. */
export const quiet: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** What the CLI's process gives an engine it runs (one-shot or daemon). */
export function engineHost(ctx: CliContext, logger: Logger): EngineHost {
  const timeout = ctx.io.env.VAULT_CLIENT_TIMEOUT;
  const timeoutSeconds = timeout === undefined ? undefined : parseDuration(timeout);
  if (timeout !== undefined && timeoutSeconds === undefined)
    throw usageError(`VAULT_CLIENT_TIMEOUT=${timeout} is not a duration (like 30s or 60)`);
  return {
    configDir: ctx.configDir,
    env: ctx.io.env,
    platform: ctx.io.platform as NodeJS.Platform,
    homedir: ctx.io.homedir,
    cwd: ctx.io.cwd,
    clock: ctx.io.clock,
    logger,
    command: ctx.io.selfPath,
    timeoutMs: timeoutSeconds === undefined ? undefined : timeoutSeconds * 1000,
    tlsFromEnv: true,
  };
}

/** The engine options of a CLI process: its settings, token, state and cache files. */
export function cliEngineOptions(
  ctx: CliContext,
  logger: Logger,
  cache: 'keep' | 'share',
): Omit<EngineOptions, 'kind'> {
  const caching = () => {
    try {
      return ctx.settings.read().engine.credentialCache;
    } catch {
      return false;
    }
  };
  return {
    host: engineHost(ctx, logger),
    settings: ctx.settings,
    settingsPath: ctx.settings.path,
    secrets: ctx.tokens,
    secretsPath: ctx.tokens.path,
    state: new StateFile(ctx.configDir),
    memory: new CredentialCacheFile(ctx.configDir, caching, cache),
  };
}

/** The engine a command runs when none is running: the same Engine, for this command only. */
async function oneShotEngine(ctx: CliContext): Promise<Engine> {
  const engine = new Engine({ ...cliEngineOptions(ctx, quiet, 'keep'), kind: 'none' });
  await engine.start();
  return engine;
}

/**
 * The engine a command talks to: the running one (daemon or tray app) through its socket, or,
 * when none runs, a one-shot engine in this process. Commands call it and never ask which.
 */
export class CommandEngine implements Api.EngineApi {
  private readonly socket: SocketEngine;
  private local?: Promise<Engine>;

  constructor(private readonly ctx: CliContext) {
    this.socket = new SocketEngine(ctx.configDir, ctx.io.platform);
  }

  private async use<T>(work: (api: Api.EngineApi) => Promise<T>): Promise<T> {
    if (!this.local) {
      try {
        return await work(this.socket);
      } catch (error) {
        if (!(error instanceof NoEngineError)) throw error;
      }
      this.local = oneShotEngine(this.ctx);
    }
    return work(await this.local);
  }

  /** Lets a one-shot engine finish its writes. */
  async close(): Promise<void> {
    const local = await this.local?.catch(() => undefined);
    await local?.stop();
  }

  status() {
    return this.use((api) => api.status());
  }
  listProfiles() {
    return this.use((api) => api.listProfiles());
  }
  refresh(profiles?: string[]) {
    return this.use((api) => api.refresh(profiles));
  }
  credentials(profile: string) {
    return this.use((api) => api.credentials(profile));
  }
  addProfiles(...args: Parameters<Api.EngineApi['addProfiles']>) {
    return this.use((api) => api.addProfiles(...args));
  }
  setProfile(name: string, change: Api.ProfileChange) {
    return this.use((api) => api.setProfile(name, change));
  }
  removeProfile(name: string, options: { keepSections: boolean }) {
    return this.use((api) => api.removeProfile(name, options));
  }
  signIn(request: Api.SignInRequest, progress?: Api.Progress) {
    return this.use((api) => api.signIn(request, progress));
  }
  connect(vault: VaultSettings) {
    return this.use((api) => api.connect(vault));
  }
  signOut() {
    return this.use((api) => api.signOut());
  }
  doctor(vault?: VaultSettings) {
    return this.use((api) => api.doctor(vault));
  }
  discoverRoles() {
    return this.use((api) => api.discoverRoles());
  }
  checkProfile(name: string) {
    return this.use((api) => api.checkProfile(name));
  }
}

/** One timestamped line per event on stderr, secrets redacted: what `journalctl` or a log file keeps. */
export function daemonLogger(ctx: CliContext): Logger {
  const line = (level: string) => (message: string) =>
    ctx.io.stderr(
      `${new Date(ctx.io.clock.now()).toISOString()} ${level} ${redactSecrets(message)}\n`,
    );
  return { debug: () => undefined, info: line('info '), warn: line('warn '), error: line('error') };
}

/** `vault-aws-tray daemon`'s engine: lock, engine, socket (host-engine.ts). */
export async function hostDaemon(ctx: CliContext, logger: Logger): Promise<HostedEngine> {
  const options = cliEngineOptions(ctx, logger, 'share');
  try {
    return await hostEngine({
      engine: {
        ...options,
        kind: 'daemon',
        notifier: desktopNotifier(ctx.io.stderr, ctx.io.env),
        driftCheck: true,
      },
      takeLock: () => acquireEngineLock(ctx.configDir, 'daemon'),
      beforeStart: () => {
        let count = '?';
        try {
          count = String(Object.keys(ctx.settings.read().profiles).length);
        } catch {
          // The engine says what is wrong with the settings file.
        }
        logger.info(
          `${PRODUCT_NAME} daemon ${ctx.io.version} (pid ${process.pid}): keeping ${count} profile(s) fresh; settings in ${ctx.configDir}`,
        );
      },
    });
  } catch (error) {
    if (error instanceof EngineLockedError) throw failure(`${error.message}; not starting`);
    if (error instanceof EngineServeError) throw failure(error.message);
    throw error;
  }
}

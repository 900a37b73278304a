import { resolve } from 'node:path';
import type { ProfileSettings, Settings } from '../../shared/settings.js';
import type { CredentialsFileWriter, ProfileUpdate } from '../aws/credentials-file-writer.js';
import type { AwsFilePaths } from '../aws/file-paths.js';
import type {
  Clock,
  Logger,
  Notifier,
  PowerEvents,
  SecretStore,
  SettingsStore,
  TimerHandle,
} from '../ports.js';
import type { AwsCredentials } from '../vault/aws-credentials.js';
import type { VaultClient } from '../vault/client.js';
import type { VaultAuth } from '../vault/schemas.js';
import { buildStatus } from './app-status.js';
import type { AppStatus } from './app-status.js';
import { watchFiles } from './file-watcher.js';
import type { FileWatcher } from './file-watcher.js';
import { localTime, noticesFor } from './notification-policy.js';
import type { TimeFormat } from './notification-policy.js';
import type { ProfileRecord } from './profile-state.js';
import { refreshProfiles } from './refresh.js';
import type { RefreshResult } from './refresh.js';
import { refreshAt, retryAt } from './refresh-policy.js';
import { SessionKeeper } from './session-keeper.js';
import type { SessionSnapshot } from './session-keeper.js';
import type { StateFile } from './state-file.js';

/** The daemon looks at the wall clock this often to notice a suspend or a clock change. */
export const DRIFT_CHECK_MS = 60_000;
/** A drift check this late means the machine slept or the clock was changed. */
const DRIFT_TOLERANCE_MS = 15_000;
/**
 * A profile due within this share of its lifetime (at most 5 s) joins a batch that runs anyway:
 * profiles written together get expiries a second or so apart, and should not wake us twice.
 */
const TAKE_ALONG_SHARE = 0.01;
const TAKE_ALONG_MAX_MS = 5_000;
/**
 * Credentials handed out from memory have at least this long left (or half their lifetime, when
 * Vault grants less): the AWS CLI asks its credential_process again when 15 minutes are left.
 */
export const HAND_OUT_MIN_MS = 15 * 60_000;

export interface EngineOptions {
  role: 'daemon' | 'app';
  settings: SettingsStore;
  /** The settings file, watched for changes made by another program (the CLI). */
  settingsPath?: string;
  /** Where another program may store a new token (the CLI's token file after a `login`). */
  secretsPath?: string;
  secrets: SecretStore;
  state: StateFile;
  clock: Clock;
  logger: Logger;
  notifier: Notifier;
  power?: PowerEvents;
  /** A client for the Vault of these settings. */
  client(settings: Settings, token?: string): VaultClient;
  writer(settings: Settings): CredentialsFileWriter;
  awsPaths(settings: Settings): AwsFilePaths;
  /** The config file's `credential_process` value for a profile: this program's CLI. */
  processLine?(profile: string): string;
  /** The interactive sign-in of the configured method; only ever on a user's request. */
  signIn(settings: Settings): Promise<Pick<VaultAuth, 'client_token'>>;
  /** The plain-Node daemon has no powerMonitor: it checks the wall clock once a minute instead. */
  driftCheck?: boolean;
  /** Watch the AWS files and the settings file (off in tests that do not need it). */
  watch?: boolean;
  random?: () => number;
  timeFormat?: TimeFormat;
}

export class SignInNeededError extends Error {
  override readonly name = 'SignInNeededError';
}

/** A request about a profile the engine does not manage, or one it already does. */
export class ProfileRequestError extends Error {
  override readonly name = 'ProfileRequestError';

  constructor(
    readonly kind: 'not_found' | 'exists',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The engine (design.md "Data flow"): one timer for the next due instant, due profiles refreshed
 * together (at most 4 reads at once, one write per batch), failures retried with backoff, the
 * Vault session kept alive, the AWS files watched, and every change of state told to listeners
 * and, through the notification policy, to the user.
 */
export class Engine {
  private settings: Settings;
  private keeper?: SessionKeeper;
  private readonly records = new Map<string, ProfileRecord>();
  private readonly due = new Map<string, number>();
  private readonly failures = new Map<string, number>();
  /** The key id last written for each profile: an edit by someone else shows as another one. */
  private readonly ours = new Map<string, string>();
  /** The last credentials read for each profile: what credential_process, env and exec get. */
  private readonly cache = new Map<string, AwsCredentials>();
  private readonly refreshing = new Set<string>();
  private readonly sent = new Map<string, number>();
  private readonly listeners = new Set<(status: AppStatus) => void>();
  private timer?: TimerHandle;
  private driftTimer?: TimerHandle;
  private lastDriftCheck = 0;
  private batch: Promise<unknown> = Promise.resolve();
  private stateWrites: Promise<void> = Promise.resolve();
  private last?: AppStatus;
  private watcher?: FileWatcher;
  private unsubscribe: Array<() => void> = [];
  private stopped = false;

  constructor(private readonly options: EngineOptions) {
    this.settings = options.settings.read();
  }

  async start(): Promise<void> {
    const stored = await this.options.state.read();
    for (const [name, record] of Object.entries(stored.profiles)) this.records.set(name, record);
    await this.startSession();
    for (const name of Object.keys(this.settings.profiles)) this.scheduleFirst(name);
    if (this.options.watch ?? true) await this.watch();
    if (this.options.power) {
      this.unsubscribe.push(this.options.power.onResume(() => this.woke('the machine woke up')));
      this.unsubscribe.push(
        this.options.power.onSuspend(() =>
          this.options.logger.info('the machine is going to sleep'),
        ),
      );
    }
    if (this.options.driftCheck) {
      this.lastDriftCheck = this.now();
      this.armDriftCheck();
    }
    this.changed();
    // What is due now (missing, expired, never written) is refreshed without waiting for a timer.
    this.tick();
  }

  status(): AppStatus {
    const snapshot = this.keeper?.snapshot() ?? { state: 'signed_out' as const };
    return buildStatus({
      now: this.now(),
      session: snapshot.session,
      sessionState: snapshot.state,
      profiles: this.settings.profiles,
      records: Object.fromEntries(this.records),
      refreshing: this.refreshing,
      engine: this.options.role,
    });
  }

  onChange(listener: (status: AppStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Resolves when the batch in flight (if any) and the session's work are done. */
  async settled(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.batch;
      await seen.catch(() => undefined);
      await this.keeper?.settled();
      await this.stateWrites;
    } while (seen !== this.batch);
  }

  /**
   * A user's "Refresh": full fresh credentials now, even when the current ones are still fresh.
   * Without a usable session it asks the user to sign in rather than opening anything.
   */
  async refreshNow(names?: string[]): Promise<RefreshResult> {
    const targets = names ?? Object.keys(this.settings.profiles);
    if (!this.keeper?.currentToken()) throw new SignInNeededError('sign in to Vault first');
    return this.enqueue(targets);
  }

  /** The user's sign-in (the only path that may open a browser). */
  async signIn(): Promise<SessionSnapshot> {
    if (!this.keeper) await this.startSession();
    if (!this.keeper)
      throw new SignInNeededError(
        'no Vault is configured: sign in from the CLI or the window first',
      );
    return this.keeper.signIn();
  }

  async signOut(): Promise<void> {
    await this.keeper?.logout();
  }

  /**
   * A profile's credentials from memory, for credential_process, env and exec: no Vault read while
   * they have HAND_OUT_MIN_MS left. Older ones are read again first; when Vault cannot give fresher
   * ones, still-valid ones are handed out rather than none.
   */
  async credentials(name: string): Promise<AwsCredentials> {
    this.binding(name);
    const held = this.cache.get(name);
    if (held && held.expiresAt - this.now() >= handOutMargin(held)) return held;
    let failure: string | undefined;
    if (this.keeper?.currentToken()) {
      const result = await this.enqueue([name]);
      const outcome = result.outcomes.find((o) => o.profile === name);
      if (!result.signInNeeded && outcome && !outcome.ok) failure = outcome.message;
    }
    const latest = this.cache.get(name);
    if (latest && latest.expiresAt > this.now()) return latest;
    if (failure) throw new Error(`${name}: ${failure}`);
    throw new SignInNeededError('Vault needs a new sign-in: run `vault-aws-tray login`');
  }

  /**
   * Profiles added while the engine runs (the CLI through the socket, the window): saved, then
   * written in one batch, whose result this resolves with.
   */
  addProfiles(bindings: Record<string, ProfileSettings>): Promise<RefreshResult> {
    const names = Object.keys(bindings);
    for (const name of names)
      if (this.settings.profiles[name])
        throw new ProfileRequestError('exists', `profile ${name} is already managed`);
    this.settings = this.options.settings.update((s) => ({
      ...s,
      profiles: { ...s.profiles, ...bindings },
    }));
    this.options.logger.info(`${names.join(', ')}: added`);
    for (const name of names) this.due.set(name, this.now());
    return this.enqueue(names);
  }

  /**
   * Stops managing a profile and removes its sections (unless `keepSections`: they then stay
   * until they expire, as after a sign-out); true when sections were removed.
   */
  async removeProfile(name: string, { keepSections = false } = {}): Promise<boolean> {
    const binding = this.binding(name);
    // In the refresh queue, so that a batch in flight cannot write it back afterwards.
    return this.serialize(async () => {
      const remove = binding.written && !keepSections;
      if (remove) await this.options.writer(this.settings).removeProfile(name);
      this.settings = this.options.settings.update((s) => {
        const { [name]: _removed, ...profiles } = s.profiles;
        return { ...s, profiles };
      });
      this.forget(name);
      await this.saveState('profiles', (state) => ({
        ...state,
        profiles: Object.fromEntries(this.records),
      }));
      this.options.logger.info(`${name}: removed`);
      this.changed();
      this.arm();
      return remove;
    });
  }

  /** The config lines that make SDKs call our helper for these profiles. */
  private processUpdates(names: string[]): ProfileUpdate[] {
    return names.map((profile) => ({
      profile,
      credentialProcess: this.processLine(profile),
      region: this.settings.profiles[profile]?.region,
    }));
  }

  /** Writes the credential_process lines of process profiles, in the refresh queue. */
  private writeProcessLines(names: string[]): Promise<unknown> {
    return this.serialize(() =>
      this.options.writer(this.settings).applyProfiles(this.processUpdates(names)),
    ).catch((error: unknown) =>
      this.options.logger.warn(
        `could not write back ${names.join(', ')}: ${(error as Error).message}`,
      ),
    );
  }

  /** Moves a profile between static keys in the credentials file and credential_process. */
  async setDelivery(name: string, delivery: ProfileSettings['delivery']): Promise<void> {
    const binding = this.binding(name);
    if (binding.delivery === delivery) return;
    await this.serialize(async () => {
      this.settings = this.options.settings.update((s) => ({
        ...s,
        profiles: { ...s.profiles, [name]: { ...s.profiles[name]!, delivery } },
      }));
      this.ours.delete(name);
      if (delivery === 'process' && binding.written)
        await this.options.writer(this.settings).applyProfiles(this.processUpdates([name]));
      this.options.logger.info(
        `${name}: delivered by ${delivery === 'file' ? 'the credentials file' : 'credential_process'} from now on`,
      );
    });
    // Static keys need credentials to write; a new profile needs its first write anyway.
    if (delivery === 'file' || !binding.written) await this.enqueue([name]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    if (this.driftTimer) this.options.clock.clearTimeout(this.driftTimer);
    for (const off of this.unsubscribe) off();
    this.keeper?.stop();
    await this.watcher?.close();
    await this.batch.catch(() => undefined);
    await this.keeper?.settled();
    await this.stateWrites;
  }

  // ---- session ----------------------------------------------------------------------------

  private async startSession(): Promise<void> {
    this.keeper?.stop();
    this.keeper = undefined;
    const vault = this.settings.vault;
    if (!vault) return;
    this.keeper = new SessionKeeper({
      address: vault.address,
      namespace: vault.namespace,
      client: (token) => this.options.client(this.settings, token),
      secrets: this.options.secrets,
      clock: this.options.clock,
      logger: this.options.logger,
      endingSoonMs: this.settings.engine.sessionEndingSoonMinutes * 60_000,
      signIn: () => this.options.signIn(this.settings),
      onChange: (snapshot) => this.sessionChanged(snapshot),
    });
    await this.keeper.start().catch((error: unknown) => {
      this.options.logger.warn(
        `could not ask Vault about the session: ${(error as Error).message}`,
      );
    });
  }

  private sessionChanged(snapshot: SessionSnapshot): void {
    this.options.logger.info(`Vault session: ${snapshot.state.replace(/_/g, ' ')}`);
    void this.saveState('session', (state) => ({ ...state, session: snapshot.session }));
    this.changed();
    this.arm();
  }

  // ---- scheduling -------------------------------------------------------------------------

  private now(): number {
    return this.options.clock.now();
  }

  /** At start: refresh at once what is missing, expired or never written; the rest when due. */
  private scheduleFirst(name: string): void {
    const record = this.records.get(name);
    const binding = this.settings.profiles[name];
    if (!binding) return;
    if (
      !binding.written ||
      // Their credentials live in memory only: fill it.
      binding.delivery === 'process' ||
      record?.expiresAt === undefined ||
      !record.grantedTtlSeconds ||
      record.expiresAt <= this.now()
    ) {
      this.due.set(name, this.now());
      return;
    }
    this.due.set(
      name,
      record.nextRefreshAt ?? this.nextRefresh(name, record.expiresAt, record.grantedTtlSeconds),
    );
  }

  private nextRefresh(
    name: string,
    expiresAt: number,
    grantedTtlSeconds: number,
    random = this.options.random,
  ): number {
    const lead = this.settings.profiles[name]?.leadSeconds ?? this.settings.engine.leadSeconds;
    return refreshAt({
      expiresAt,
      lifetimeMs: grantedTtlSeconds * 1000,
      leadMs: lead === undefined ? undefined : lead * 1000,
      random,
    });
  }

  /** How much earlier than its own time a profile may join a batch that is running anyway. */
  private takeAlongMs(name: string): number {
    const ttl = this.records.get(name)?.grantedTtlSeconds;
    return ttl ? Math.min(TAKE_ALONG_MAX_MS, ttl * 1000 * TAKE_ALONG_SHARE) : 0;
  }

  private canRefresh(): boolean {
    return this.keeper?.currentToken() !== undefined;
  }

  /** One timer: the next due refresh, or the next expiry (so states change on time). */
  private arm(): void {
    if (this.stopped) return;
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    const instants: number[] = [];
    if (this.canRefresh()) {
      for (const [name, at] of this.due) if (!this.refreshing.has(name)) instants.push(at);
    }
    for (const record of this.records.values()) {
      if (record.expiresAt !== undefined && record.expiresAt > now) instants.push(record.expiresAt);
    }
    if (instants.length === 0) return;
    const next = Math.min(...instants);
    this.timer = this.options.clock.setTimeout(() => this.tick(), Math.max(0, next - now));
  }

  private tick(): void {
    if (this.stopped) return;
    // Also called directly (at start, on wake-up): the pending timer must not fire as well.
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = undefined;
    const now = this.now();
    const due = this.canRefresh()
      ? [...this.due]
          .filter(([name, at]) => at - this.takeAlongMs(name) <= now && !this.refreshing.has(name))
          .map(([name]) => name)
      : [];
    if (due.length > 0) void this.enqueue(due).catch(() => undefined);
    else {
      this.expire();
      this.changed();
      this.arm();
    }
  }

  private woke(why: string): void {
    this.options.logger.info(`${why}: refreshing what is due`);
    // Retries waiting on backoff are due at once too: the network may just be back.
    const now = this.now();
    for (const [name, at] of this.due)
      if (this.failures.has(name) && at > now) this.due.set(name, now);
    this.tick();
  }

  private armDriftCheck(): void {
    this.driftTimer = this.options.clock.setTimeout(() => {
      const now = this.now();
      const late = now - this.lastDriftCheck - DRIFT_CHECK_MS;
      this.lastDriftCheck = now;
      if (late > DRIFT_TOLERANCE_MS)
        this.woke(
          `the clock moved ${Math.round(late / 1000)} s more than expected (a suspend, or a clock change)`,
        );
      this.armDriftCheck();
    }, DRIFT_CHECK_MS);
  }

  /** Removes expired sections when the user asked for it. */
  private expire(): void {
    if (!this.settings.engine.removeExpired) return;
    const now = this.now();
    for (const [name, record] of this.records) {
      if (
        record.expiresAt !== undefined &&
        record.expiresAt <= now &&
        this.settings.profiles[name]?.written
      ) {
        this.options.logger.info(`${name}: expired; removing its sections as the settings ask`);
        void this.options
          .writer(this.settings)
          .removeProfile(name)
          .catch((error: unknown) =>
            this.options.logger.warn(
              `${name}: could not remove its sections: ${(error as Error).message}`,
            ),
          );
        this.records.set(name, { ...record, expiresAt: undefined });
      }
    }
  }

  // ---- refreshing -------------------------------------------------------------------------

  /** Refreshes `names` as one batch after the batch in flight, and reschedules. */
  private enqueue(names: string[]): Promise<RefreshResult> {
    return this.serialize(() => this.refreshBatch(names));
  }

  /** Refreshes and profile changes run one after another: one writer of the files. */
  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.batch.catch(() => undefined).then(work);
    this.batch = run;
    return run;
  }

  /** A client with the session's token, for what the window asks of Vault (role discovery). */
  sessionClient(): VaultClient {
    const token = this.keeper?.currentToken();
    if (!token) throw new SignInNeededError('sign in to Vault first');
    return this.options.client(this.settings, token);
  }

  private binding(name: string): ProfileSettings {
    const binding = this.settings.profiles[name];
    if (!binding) throw new ProfileRequestError('not_found', `no managed profile named ${name}`);
    return binding;
  }

  private processLine(profile: string): string {
    if (!this.options.processLine)
      throw new Error('this program cannot deliver profiles by credential_process');
    return this.options.processLine(profile);
  }

  private async refreshBatch(names: string[]): Promise<RefreshResult> {
    const targets = names
      .filter((n) => this.settings.profiles[n])
      .map((profile) => ({ profile, settings: this.settings.profiles[profile]! }));
    const token = this.keeper?.currentToken();
    if (!token || targets.length === 0) {
      this.arm();
      return { outcomes: [], shadowing: [], signInNeeded: !token };
    }
    for (const { profile } of targets) this.refreshing.add(profile);
    this.changed();
    let result: RefreshResult;
    try {
      result = await refreshProfiles(
        {
          client: this.options.client(this.settings, token),
          writer: this.options.writer(this.settings),
          clock: this.options.clock,
          processLine: this.options.processLine,
        },
        targets,
      );
    } finally {
      for (const { profile } of targets) this.refreshing.delete(profile);
    }
    const now = this.now();
    const written: string[] = [];
    // One jitter for the batch: profiles written together stay together, one write each time.
    const draw = (this.options.random ?? Math.random)();
    for (const outcome of result.outcomes) {
      const record = this.records.get(outcome.profile) ?? {};
      if (outcome.ok) {
        const { expiresAt, grantedTtlSeconds, accessKeyId } = outcome.credentials;
        const next = this.nextRefresh(outcome.profile, expiresAt, grantedTtlSeconds, () => draw);
        this.records.set(outcome.profile, {
          expiresAt,
          grantedTtlSeconds,
          lastRefreshAt: now,
          nextRefreshAt: next,
        });
        this.due.set(outcome.profile, next);
        this.failures.delete(outcome.profile);
        this.cache.set(outcome.profile, outcome.credentials);
        // A credential_process profile has no keys in the file to recognise.
        if (this.settings.profiles[outcome.profile]?.delivery === 'process')
          this.ours.delete(outcome.profile);
        else this.ours.set(outcome.profile, accessKeyId);
        written.push(outcome.profile);
        this.options.logger.info(
          `${outcome.profile}: refreshed; valid until ${new Date(expiresAt).toISOString()}, next refresh ${new Date(next).toISOString()}`,
        );
        for (const warning of outcome.warnings)
          this.options.logger.warn(`${outcome.profile}: Vault says: ${warning}`);
      } else {
        const failures = (this.failures.get(outcome.profile) ?? 0) + 1;
        this.failures.set(outcome.profile, failures);
        const next = retryAt({
          now,
          failures,
          expiresAt: record.expiresAt,
          random: this.options.random,
        });
        this.records.set(outcome.profile, {
          ...record,
          nextRefreshAt: next,
          lastError: { at: now, kind: outcome.kind, message: outcome.message },
        });
        this.due.set(outcome.profile, next);
        this.options.logger.warn(
          `${outcome.profile}: refresh failed (${outcome.message}); next try ${new Date(next).toISOString()}`,
        );
      }
    }
    for (const finding of result.shadowing) this.options.logger.warn(finding.message);
    if (result.signInNeeded) this.keeper?.rejected();
    if (written.some((n) => !this.settings.profiles[n]?.written)) {
      this.settings = this.options.settings.update((s) => ({
        ...s,
        profiles: Object.fromEntries(
          Object.entries(s.profiles).map(([n, p]) => [
            n,
            written.includes(n) ? { ...p, written: true, adopt: false } : p,
          ]),
        ),
      }));
    }
    await this.saveState('refresh', (state) => ({
      ...state,
      profiles: Object.fromEntries(this.records),
    }));
    this.changed();
    this.arm();
    return result;
  }

  /** state.json updates one after another (a read-modify-write each), so none is lost. */
  private saveState(what: string, change: Parameters<StateFile['update']>[0]): Promise<void> {
    this.stateWrites = this.stateWrites.then(() =>
      this.options.state.update(change).then(
        () => undefined,
        (error: unknown) =>
          this.options.logger.warn(`could not save the ${what} state: ${(error as Error).message}`),
      ),
    );
    return this.stateWrites;
  }

  // ---- watching ---------------------------------------------------------------------------

  private async watch(): Promise<void> {
    const paths = this.options.awsPaths(this.settings);
    const watched = [
      paths.credentialsFile,
      paths.configFile,
      ...[this.options.settingsPath, this.options.secretsPath].filter((p) => p !== undefined),
    ];
    this.watcher = watchFiles(watched, (changed) => {
      void this.batch
        .then(() => this.filesChanged(changed))
        .catch((error: unknown) =>
          this.options.logger.warn(`while checking the files: ${(error as Error).message}`),
        );
    });
    await this.watcher.ready;
  }

  private async filesChanged(changed: ReadonlySet<string>): Promise<void> {
    if (this.stopped) return;
    const touched = (path: string | undefined) => path !== undefined && changed.has(resolve(path));
    await this.reloadSettings({
      settings: touched(this.options.settingsPath),
      session: touched(this.options.secretsPath),
    });
    const writer = this.options.writer(this.settings);
    const edited: string[] = [];
    for (const [name, binding] of Object.entries(this.settings.profiles)) {
      if (!binding.written || this.refreshing.has(name)) continue;
      if (binding.delivery === 'process') {
        // Ours when the config runs our helper and no keys in the credentials file hide it.
        const inspection = await writer.inspect(name, 'process');
        const line = this.options.processLine?.(name);
        if (inspection.credentialProcess !== line || inspection.inCredentialsFile)
          edited.push(name);
        continue;
      }
      const ours = this.ours.get(name);
      if (ours === undefined) continue;
      const inspection = await writer.inspect(name);
      if (inspection.accessKeyId !== ours) edited.push(name);
    }
    if (edited.length === 0) return;
    if (this.settings.engine.externalEdits === 'detach') {
      this.options.logger.warn(
        `${edited.join(', ')}: changed by another program; no longer managed, as the settings ask`,
      );
      this.settings = this.options.settings.update((s) => ({
        ...s,
        profiles: Object.fromEntries(
          Object.entries(s.profiles).filter(([n]) => !edited.includes(n)),
        ),
      }));
      for (const name of edited) this.forget(name);
    } else {
      this.options.logger.warn(
        `${edited.join(', ')}: changed or removed by another program; writing it back`,
      );
      const process = edited.filter((n) => this.settings.profiles[n]?.delivery === 'process');
      // A process profile's line needs no credentials: it is written back as it was.
      if (process.length > 0) await this.writeProcessLines(process);
      for (const name of edited) if (!process.includes(name)) this.due.set(name, this.now());
    }
    this.changed();
    this.arm();
  }

  /**
   * Takes up the settings file again (written by the window through main, or by another
   * program) and, when the Vault or its sign-in changed, starts the session again.
   */
  async reloadSettings({ settings = true, session = false } = {}): Promise<void> {
    const vaultBefore = JSON.stringify(this.settings.vault ?? null);
    if (settings) this.settingsChanged();
    if (JSON.stringify(this.settings.vault ?? null) !== vaultBefore || session) {
      // A `login` elsewhere: take up the new token (or Vault) instead of the one we started with.
      this.options.logger.info('the Vault sign-in changed; starting the session again');
      await this.startSession();
      this.changed();
    }
  }

  private settingsChanged(): void {
    let next: Settings;
    try {
      next = this.options.settings.read();
    } catch (error) {
      this.options.logger.warn(
        `the settings file cannot be read; keeping the last good settings (${(error as Error).message})`,
      );
      return;
    }
    const before = this.settings;
    this.settings = next;
    for (const name of Object.keys(before.profiles)) if (!next.profiles[name]) this.forget(name);
    for (const [name, binding] of Object.entries(next.profiles)) {
      if (
        JSON.stringify({ ...before.profiles[name], written: 0, adopt: 0 }) !==
        JSON.stringify({ ...binding, written: 0, adopt: 0 })
      ) {
        this.options.logger.info(
          `${name}: ${before.profiles[name] ? 'changed' : 'added'} in the settings`,
        );
        this.due.set(name, this.now());
      }
    }
  }

  private forget(name: string): void {
    this.due.delete(name);
    this.records.delete(name);
    this.failures.delete(name);
    this.ours.delete(name);
    this.cache.delete(name);
  }

  // ---- telling ----------------------------------------------------------------------------

  private changed(): void {
    const status = this.status();
    const before = this.last;
    this.last = status;
    const now = this.now();
    if (this.settings.engine.notifications) {
      for (const notice of noticesFor(
        before,
        status,
        now,
        this.sent,
        this.options.timeFormat ?? localTime,
      )) {
        this.sent.set(notice.key, now);
        this.options.notifier.notify(notice);
      }
    }
    for (const listener of this.listeners) listener(status);
  }
}

function handOutMargin(credentials: AwsCredentials): number {
  return Math.min(HAND_OUT_MIN_MS, (credentials.grantedTtlSeconds * 1000) / 2);
}

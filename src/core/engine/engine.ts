import { DEFAULT_SETTINGS } from '../../shared/settings.js';
import type { NewBinding, Settings, SettingsError, VaultSettings } from '../../shared/settings.js';
import type { AwsFilePaths } from '../aws/file-paths.js';
import { discoverRoles } from '../vault/discovery.js';
import { buildStatus } from './app-status.js';
import type { AppStatus } from './app-status.js';
import { memoryOnly } from './credential-cache.js';
import { doctorFindings } from './doctor.js';
import type * as Api from './engine-api.js';
import { notFound } from './engine-errors.js';
import type { EngineOptions } from './engine-options.js';
import { EnginePersistence } from './engine-persistence.js';
import { EngineServices } from './engine-services.js';
import { EngineSession } from './engine-session.js';
import type { FileWatcher } from './file-watcher.js';
import { handOutCredentials } from './hand-out-ops.js';
import { ProfileBook } from './profile-book.js';
import * as ops from './profile-ops.js';
import type { ProfileOpsContext } from './profile-ops.js';
import { readSettingsFile, takeUpSettings, watchOutsideEdits } from './reconciler.js';
import { nextRefreshAt, removeExpired, runBatch } from './refresh-batch.js';
import { refreshReport } from './refresh.js';
import { dueProfiles, firstDueAt, nextWakeAt, retriesDueNow, Scheduler } from './scheduler.js';
import { StatusTeller } from './status-teller.js';

export { SignInNeededError } from './engine-errors.js';
export type { EngineOptions } from './engine-options.js';

/**
 * The engine (docs/architecture.md): the profiles' book, the session, the refresh queue and, in a
 * running engine, the scheduler and the watcher. Every front end reaches it through the EngineApi
 * it implements; this class only wires the modules that do the work.
 */
export class Engine implements Api.EngineApi {
  private settingsValue: Settings = DEFAULT_SETTINGS;
  private settingsProblem?: SettingsError;
  private readonly book = new ProfileBook();
  private readonly services: EngineServices;
  private readonly session: EngineSession;
  private readonly persistence: EnginePersistence;
  private readonly teller: StatusTeller;
  private readonly scheduler?: Scheduler;
  private readonly ctx: ProfileOpsContext;
  private queue: Promise<unknown> = Promise.resolve();
  private watcher?: FileWatcher;
  private stopped = false;

  constructor(private readonly options: EngineOptions) {
    const { host } = options;
    this.services = new EngineServices(host);
    this.persistence = new EnginePersistence(
      options.state,
      options.memory ?? memoryOnly,
      host.logger,
    );
    this.teller = new StatusTeller(options.notifier, options.timeFormat);
    if (options.kind !== 'none')
      this.scheduler = new Scheduler({
        ...host,
        ...options,
        tick: () => this.tick(),
        woke: (why) => this.woke(why),
      });
    this.ctx = {
      clock: host.clock,
      logger: host.logger,
      book: this.book,
      services: this.services,
      random: options.random ?? Math.random,
      settings: () => this.settingsValue,
      updateSettings: (change) => this.useSettings(options.settings.update(change)),
      token: () => this.session.token(),
      signInRejected: () => this.session.rejected(),
      changed: () => this.changed(),
      persist: (what) =>
        this.persistence.save(what, this.settingsValue, this.book, this.session.snapshot().session),
      enqueue: (names) => this.serialize(() => runBatch(this.ctx, names)),
      serialize: (work) => this.serialize(work),
    };
    this.session = new EngineSession({
      ...this.ctx,
      secrets: options.secrets,
      running: options.kind !== 'none',
      lastSeen: () => this.persistence.lastSession(),
      saveSession: () => this.ctx.persist('session'),
      writeDue: (names) => this.ctx.enqueue(names),
    });
  }

  async start(): Promise<void> {
    this.readSettings();
    await this.persistence.load(this.settingsValue, this.book);
    for (const [name, binding] of Object.entries(this.settingsValue.profiles))
      this.book.entry(name).due = firstDueAt(
        binding,
        this.book.entry(name),
        this.now(),
        (at, ttl) => nextRefreshAt(this.settingsValue, name, at, ttl, this.ctx.random),
      );
    await this.session.start();
    if (this.scheduler && (this.options.watch ?? true))
      this.watcher = await watchOutsideEdits({
        ...this.ctx,
        now: () => this.now(),
        settingsPath: this.options.settingsPath,
        reloadSettings: () => this.reloadSettings(),
      });
    this.scheduler?.start();
    this.changed();
    // What is due now (missing, expired, never written) is refreshed without waiting for a timer.
    this.tick();
  }

  snapshot(): AppStatus {
    return buildStatus({
      now: this.now(),
      session: this.session.snapshot(),
      profiles: this.settingsValue.profiles,
      records: this.book.records(Object.keys(this.settingsValue.profiles)),
      refreshing: this.book.refreshing(),
      defaultLeadSeconds: this.settingsValue.engine.leadSeconds,
      engine: this.options.kind,
    });
  }

  async status(): Promise<Api.EngineStatus> {
    this.usable();
    await this.session.verified();
    return { status: this.snapshot(), pid: this.pid() };
  }

  /** The AWS files in use (after the settings and AWS_* variables). */
  awsPaths(): AwsFilePaths {
    return this.services.awsPaths();
  }

  onChange(listener: (status: AppStatus) => void): () => void {
    return this.teller.onChange(listener);
  }

  /** Resolves when the work in flight (refreshes, the session's, state writes) is done. */
  async settled(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.queue;
      await seen.catch(() => undefined);
      await this.session.settled();
      await this.persistence.settled();
    } while (seen !== this.queue);
  }

  async listProfiles(): Promise<Api.ListedProfile[]> {
    this.usable();
    return ops.listProfiles(this.settingsValue);
  }

  async refresh(names?: string[]): Promise<Api.RefreshReport> {
    this.usable();
    const unknown = (names ?? []).filter((n) => !Object.hasOwn(this.settingsValue.profiles, n));
    if (unknown.length > 0) throw notFound(unknown.join(', '));
    const targets = names ?? Object.keys(this.settingsValue.profiles);
    if (targets.length > 0) this.session.requireToken();
    return refreshReport(await this.ctx.enqueue(targets));
  }

  async credentials(name: string): Promise<Api.HandOut> {
    this.usable();
    return handOutCredentials(this.ctx, this.options.memory ?? memoryOnly, this.session, name);
  }

  async addProfiles(
    profiles: Array<{ name: string; binding: NewBinding }>,
    options: { refresh: boolean },
  ): Promise<Api.AddProfilesReport> {
    this.usable();
    return ops.addProfiles(this.ctx, profiles, options);
  }

  async setProfile(name: string, change: Api.ProfileChange): Promise<Api.SetProfileReport> {
    this.usable();
    return ops.setProfile(this.ctx, name, change);
  }

  async removeProfile(name: string, options: { keepSections: boolean }) {
    this.usable();
    return ops.removeProfile(this.ctx, name, options);
  }

  async checkProfile(name: string) {
    this.usable();
    return ops.checkProfile(this.ctx, name);
  }

  async signIn(request: Api.SignInRequest, progress?: Api.Progress): Promise<Api.SignInReport> {
    this.usable();
    return this.session.signIn(request, progress);
  }

  async signOut(): Promise<Api.SignOutReport> {
    this.usable();
    return this.session.signOut();
  }

  async connect(vault: VaultSettings): Promise<Api.ConnectReport> {
    this.usable();
    return this.session.connect(vault);
  }

  async doctor(vault?: VaultSettings): Promise<Api.DoctorReport> {
    const findings = await doctorFindings({
      candidate: vault,
      ...this.options,
      ...this.options.host,
      readSettings: () => this.options.settings.read(),
      services: this.services,
      session: () => this.session.verify(),
    });
    return { engine: this.options.kind, pid: this.pid(), findings };
  }

  async discoverRoles() {
    this.usable();
    return discoverRoles(this.services.client(this.session.requireToken()));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.scheduler?.stop();
    this.session.stop();
    await this.watcher?.close();
    await this.settled();
  }

  /** Takes up the settings file again (saved by the window, or edited by another program). */
  async reloadSettings(): Promise<void> {
    const before = this.settingsValue;
    if (!this.readSettings()) return;
    if (takeUpSettings(this.ctx, before, this.settingsValue).vaultChanged)
      await this.session.start();
    this.changed();
  }

  private now(): number {
    return this.options.host.clock.now();
  }

  private pid(): number | null {
    return this.options.kind === 'none' ? null : process.pid;
  }

  private readSettings(): boolean {
    const read = readSettingsFile(this.options.settings, this.options.host.logger);
    this.settingsProblem = read.problem;
    if (read.settings) this.useSettings(read.settings);
    return read.settings !== undefined;
  }

  private useSettings(settings: Settings): void {
    this.settingsValue = settings;
    this.services.use(settings);
  }

  /** A broken settings file stops everything but `doctor`, which says what is wrong. */
  private usable(): void {
    if (this.settingsProblem) throw this.settingsProblem;
  }

  private tick(): void {
    if (this.stopped || !this.scheduler) return;
    // Also called directly (at start, on wake-up): the pending timer must not fire as well.
    this.scheduler.cancel();
    const due = this.session.token() ? dueProfiles(this.book, this.now()) : [];
    if (due.length > 0) void this.ctx.enqueue(due).catch(() => undefined);
    else {
      removeExpired(this.ctx);
      this.changed();
    }
  }

  private woke(why: string): void {
    this.options.host.logger.info(`${why}: refreshing what is due`);
    retriesDueNow(this.book, this.now());
    this.tick();
  }

  /** Refreshes and profile changes run one after another: one writer of the files. */
  private serialize<T>(work: () => Promise<T>): Promise<T> {
    const run = this.queue.catch(() => undefined).then(work);
    this.queue = run;
    return run;
  }

  /** Tells listeners and the user (status-teller.ts), and re-arms the scheduler. */
  private changed(): void {
    const now = this.now();
    this.teller.tell(this.snapshot(), now, this.settingsValue.engine.notifications);
    if (!this.stopped)
      this.scheduler?.arm(nextWakeAt(this.book, now, this.session.token() !== undefined));
  }
}

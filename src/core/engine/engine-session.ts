import { vaultSettingsSchema } from '../../shared/settings.js';
import type { VaultSettings } from '../../shared/settings.js';
import type { SecretStore } from '../ports.js';
import { savedConnection } from '../vault/connection.js';
import type { VaultSession } from '../vault/session.js';
import { sessionStatus } from './app-status.js';
import type {
  ConnectReport,
  Progress,
  SignInReport,
  SignInRequest,
  SignOutReport,
} from './engine-api.js';
import { badRequest, SignInNeededError } from './engine-errors.js';
import type { BatchContext } from './refresh-batch.js';
import { refreshReport } from './refresh.js';
import type { RefreshResult } from './refresh.js';
import { SessionKeeper } from './session-keeper.js';
import type { SessionSnapshot } from './session-keeper.js';

export interface EngineSessionOptions extends BatchContext {
  secrets: SecretStore;
  /** A running engine renews the token on timers; the one-shot engine looks once. */
  running: boolean;
  /** The session as last saved (state.json), shown while Vault cannot be asked. */
  lastSeen(): Promise<VaultSession | undefined>;
  saveSession(): Promise<void>;
  /** Writes profiles in the refresh queue (after a sign-in). */
  writeDue(names: string[]): Promise<RefreshResult>;
  serialize<T>(work: () => Promise<T>): Promise<T>;
}

/**
 * The engine's side of the Vault session: one keeper for the saved Vault, a sign-in's token
 * taken over (checked first, then kept in the secret store of this engine), and a sign-out.
 */
export class EngineSession {
  private keeper?: SessionKeeper;

  constructor(private readonly options: EngineSessionOptions) {}

  /** A keeper for the saved Vault (again after the Vault changed); reads the stored token. */
  async start(): Promise<void> {
    this.keeper?.stop();
    this.keeper = undefined;
    const vault = this.options.settings().vault;
    if (!vault) return;
    this.keeper = await this.keeperFor(vault);
    await this.keeper.start({ verify: this.options.running });
  }

  /** The session as Vault sees it, asking once if this engine has not yet (status). */
  async verified(): Promise<SessionSnapshot> {
    return (await this.keeper?.ensureVerified()) ?? this.snapshot();
  }

  snapshot(): SessionSnapshot {
    return this.keeper?.snapshot() ?? { state: 'signed_out' };
  }

  token(): string | undefined {
    return this.keeper?.currentToken();
  }

  /** The token, or the sign-in-needed refusal that says what to do. */
  requireToken(): string {
    const token = this.token();
    if (token) return token;
    const vault = this.options.settings().vault;
    if (!vault) throw new SignInNeededError('not signed in: run `vault-aws-tray login` first');
    if (this.snapshot().state === 'signed_out')
      throw new SignInNeededError(
        `not signed in to ${vault.address}: run \`vault-aws-tray login\``,
      );
    throw new SignInNeededError();
  }

  rejected(): void {
    this.keeper?.markRejected();
  }

  /** The session as Vault sees it now (doctor asks again rather than trust what it saw). */
  async verify(): Promise<SessionSnapshot> {
    return (await this.keeper?.verify()) ?? this.snapshot();
  }

  async settled(): Promise<void> {
    await this.keeper?.settled();
  }

  stop(): void {
    this.keeper?.stop();
  }

  /**
   * A sign-in made by a front end: the token is checked with this Vault before anything is
   * saved, then kept, and every saved profile not yet written (or expired) is written now.
   */
  async signIn(request: SignInRequest, progress?: Progress): Promise<SignInReport> {
    const parsed = vaultSettingsSchema.safeParse(request.vault);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badRequest(`vault.${issue.path.join('.')}: ${issue.message}`);
    }
    const vault = parsed.data;
    const keeper = await this.keeperFor(vault);
    await keeper.adopt(request.token);
    this.keeper?.stop();
    this.keeper = keeper;
    this.options.updateSettings((s) => ({ ...s, vault }));
    await this.options.saveSession();
    const now = this.options.clock.now();
    const due = Object.entries(this.options.settings().profiles)
      .filter(([name, binding]) => {
        const record = this.options.book.get(name)?.record ?? {};
        const expired = record.expiresAt === undefined || record.expiresAt <= now;
        return !binding.written || expired || record.rewrite;
      })
      .map(([name]) => name);
    const report: SignInReport = { session: sessionStatus(keeper.snapshot()) };
    // With profiles to write, the batch tells the new state (theirs "refreshing", not "expired").
    if (due.length === 0) {
      this.options.changed();
      return report;
    }
    progress?.(`Writing ${due.join(', ')} with credentials from Vault`);
    return { ...report, refresh: refreshReport(await this.options.writeDue(due)) };
  }

  /**
   * Saves the Vault settings without a token. A change of them starts a keeper for the new ones
   * (the token kept for the old Vault is not sent to another one).
   */
  connect(vault: VaultSettings): Promise<ConnectReport> {
    const parsed = vaultSettingsSchema.safeParse(vault);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw badRequest(`vault.${issue.path.join('.')}: ${issue.message}`);
    }
    const next = parsed.data;
    return this.options.serialize(async () => {
      const before = this.options.settings().vault;
      const differs = JSON.stringify(before ?? null) !== JSON.stringify(next);
      if (differs) {
        this.options.updateSettings((s) => ({ ...s, vault: next }));
        await this.start();
        await this.options.saveSession();
        this.options.changed();
      }
      return { address: next.address, changed: differs, session: this.snapshot().state };
    });
  }

  /** Revokes and forgets the token; credentials handed out so far stay valid until they expire. */
  signOut(): Promise<SignOutReport> {
    return this.options.serialize(async () => {
      const address = this.options.settings().vault?.address ?? null;
      const wasSignedIn = this.snapshot().state !== 'signed_out';
      await this.keeper?.logout();
      for (const [, entry] of this.options.book) entry.held = undefined;
      await this.options.saveSession();
      this.options.changed();
      return { address, wasSignedIn };
    });
  }

  private async keeperFor(vault: VaultSettings): Promise<SessionKeeper> {
    const connection = savedConnection(vault);
    const lastSeen = await this.options.lastSeen();
    const { services, settings } = this.options;
    return new SessionKeeper({
      address: connection.address,
      namespace: connection.namespace,
      client: (token) => services.clientFor(vault, token),
      secrets: this.options.secrets,
      clock: this.options.clock,
      logger: this.options.logger,
      endingSoonMs: settings().engine.sessionEndingSoonMinutes * 60_000,
      timers: this.options.running,
      lastSeen: lastSeen?.address === connection.address ? lastSeen : undefined,
      onChange: (snapshot) => {
        this.options.logger.info(`Vault session: ${snapshot.state.replace(/_/g, ' ')}`);
        void this.options.saveSession();
        this.options.changed();
      },
    });
  }
}

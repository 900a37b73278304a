import { z } from '../../shared/zod.js';
import type { Clock, Logger, SecretStore, TimerHandle } from '../ports.js';
import type { VaultClient } from '../vault/client.js';
import { VaultError } from '../vault/errors.js';
import { lookupSession, sessionKey } from '../vault/session.js';
import type { VaultSession } from '../vault/session.js';
import { BACKOFF_MAX_MS, BACKOFF_MIN_MS } from './refresh-policy.js';
import { ENDING_SOON_MS, sessionStateAt } from './session-state.js';
import type { SessionStateName } from '../../shared/states.js';

/** Renew at this share of the time left, as Vault's own LifetimeWatcher roughly does. */
const RENEW_AT = 2 / 3;

export interface SessionSnapshot {
  state: SessionStateName;
  session?: VaultSession;
  /** When the token can no longer be renewed past (its max TTL), once known. */
  hardEndAt?: number;
  nextRenewAt?: number;
}

export interface SessionKeeperOptions {
  address: string;
  namespace: string;
  /** A client for this Vault with the given token. */
  client(token: string): VaultClient;
  secrets: SecretStore;
  clock: Clock;
  logger?: Logger;
  endingSoonMs?: number;
  /** Renew and tell state changes on timers (a running engine); a one-shot engine looks once. */
  timers?: boolean;
  /** The session as last seen (state.json): shown while Vault cannot be asked. */
  lastSeen?: VaultSession;
  onChange?(snapshot: SessionSnapshot): void;
}

/** Vault does not accept the token a sign-in produced. */
export class SignInRefusedError extends Error {
  override readonly name = 'SignInRefusedError';
}

const renewAuth = z.null();

/**
 * The Vault token's whole life (docs/engine.md): looked up at start, renewed at about two thirds
 * of what is left (at once when a third of its lifetime is all that is left), its max-TTL cap
 * detected. Its state is always `sessionStateAt` of what is known now; timers only renew and
 * tell listeners when that state changes. Nothing here opens a browser: a sign-in made elsewhere
 * hands its token to {@link adopt}.
 */
export class SessionKeeper {
  private token?: string;
  private session?: VaultSession;
  private hardEndAt?: number;
  private nextRenewAt?: number;
  private rejected = false;
  /** Vault was asked about the token since it was read (a one-shot engine asks only if needed). */
  private verified = false;
  private timers: TimerHandle[] = [];
  private work: Promise<unknown> = Promise.resolve();
  private backoffMs = BACKOFF_MIN_MS;
  private stopped = false;

  constructor(private readonly options: SessionKeeperOptions) {}

  get key(): string {
    return sessionKey(this.options.address, this.options.namespace);
  }

  snapshot(): SessionSnapshot {
    const state = sessionStateAt(
      {
        hasToken: this.token !== undefined,
        rejected: this.rejected,
        expiresAt: this.session?.expiresAt,
        hardEndAt: this.hardEndAt,
      },
      this.options.clock.now(),
      this.options.endingSoonMs ?? ENDING_SOON_MS,
    );
    return {
      state,
      session: this.session,
      hardEndAt: this.hardEndAt,
      nextRenewAt: this.nextRenewAt,
    };
  }

  /** The token, while Vault accepts it. */
  currentToken(): string | undefined {
    const state = this.snapshot().state;
    return state === 'active' || state === 'ending_soon' ? this.token : undefined;
  }

  /** Resolves when the timers' work in flight (a renewal, a lookup) is done; for tests and shutdown. */
  async settled(): Promise<void> {
    let seen: Promise<unknown>;
    do {
      seen = this.work;
      await seen.catch(() => undefined);
    } while (seen !== this.work);
  }

  /**
   * Reads the stored token. `verify`: asks Vault about it now (a running engine); otherwise the
   * session as last seen stands until something asks Vault (a one-shot engine: a command that
   * only reads credentials makes no extra request), and is renewed when little of it is left.
   * A refused token means sign in again, quietly.
   */
  async start(options: { verify: boolean } = { verify: true }): Promise<SessionSnapshot> {
    this.token = (await this.options.secrets.get(this.key)) || undefined;
    if (this.token && options.verify) await this.track(this.look(this.token));
    else if (this.token) {
      this.follow(this.options.lastSeen);
      await this.track(this.renewIfDue());
    }
    return this.changed();
  }

  /** Asks Vault about the token again now (doctor): the state as Vault sees it. */
  async verify(): Promise<SessionSnapshot> {
    if (this.token && !this.rejected) await this.track(this.look(this.token));
    return this.changed();
  }

  /** Asks Vault about the token if nobody has since it was read (status shows the truth). */
  async ensureVerified(): Promise<SessionSnapshot> {
    return this.verified ? this.snapshot() : this.verify();
  }

  /** A sign-in's token: checked with Vault, kept in the secret store, and used from now on. */
  async adopt(token: string): Promise<SessionSnapshot> {
    let session: VaultSession;
    try {
      session = await this.lookup(token);
    } catch (error) {
      if (isRefusal(error))
        throw new SignInRefusedError(
          `Vault at ${this.options.address} does not accept this token (expired, revoked or mistyped)`,
        );
      throw error;
    }
    await this.options.secrets.set(this.key, token);
    this.clearTimers();
    this.token = token;
    this.rejected = false;
    this.follow(session);
    return this.changed();
  }

  /** Revokes the token at Vault if it can (best effort) and forgets it. */
  async logout(): Promise<void> {
    this.clearTimers();
    const token = this.token;
    this.token = undefined;
    this.session = undefined;
    this.hardEndAt = undefined;
    this.nextRenewAt = undefined;
    if (token) {
      await this.options
        .client(token)
        .post('auth/token/revoke-self')
        .catch((error: unknown) =>
          this.options.logger?.warn(
            `could not revoke the Vault token: ${(error as Error).message}`,
          ),
        );
    }
    await this.options.secrets.delete(this.key);
    this.changed();
  }

  /** Vault refused the token elsewhere (a refresh saw `invalid token`): sign in again. */
  markRejected(): void {
    if (this.token === undefined || this.rejected) return;
    this.rejected = true;
    this.clearTimers();
    this.changed();
  }

  /** No more timers and no more reports; work in flight finishes quietly (see `settled`). */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  private async lookup(token: string): Promise<VaultSession> {
    return lookupSession(this.options.client(token), this.options.namespace, this.options.clock);
  }

  /** Looks the stored token up; renews at once when little of its lifetime is left. */
  private async look(token: string): Promise<void> {
    try {
      this.follow(await this.lookup(token));
      this.verified = true;
    } catch (error) {
      if (isRefusal(error)) {
        this.rejected = true;
        this.verified = true;
        return;
      }
      if (!(error instanceof VaultError)) throw error;
      // Vault cannot be asked now: show what was last seen, and ask again later.
      this.options.logger?.warn(`could not ask Vault about the session: ${error.message}`);
      this.session ??= this.options.lastSeen;
      this.at(
        this.options.clock.now() + this.nextBackoff(),
        () => void this.track(this.look(token)),
      );
      return;
    }
    await this.renewIfDue();
  }

  /** A renewal would give the token more time. */
  private extendable(): boolean {
    const s = this.session;
    if (!s?.renewable || s.expiresAt === null || s.expiresAt === undefined) return false;
    return this.hardEndAt === undefined || this.hardEndAt > s.expiresAt;
  }

  /** Renews at once when a third of the token's lifetime or less is left. */
  private async renewIfDue(): Promise<void> {
    const s = this.session;
    if (!s || !this.extendable() || s.expiresAt === null) return;
    const third = ((s.ttlAtIssueSeconds ?? 0) * 1000) / 3;
    if (s.expiresAt - this.options.clock.now() <= third) await this.renew(s);
  }

  /** Takes a session as current and sets the timers that follow it. */
  private follow(session: VaultSession | undefined, hardEndAt?: number): void {
    this.clearTimers();
    this.session = session;
    this.nextRenewAt = undefined;
    if (!session) {
      this.hardEndAt = undefined;
      return;
    }
    // A token with an explicit max TTL cannot be renewed past it, which lookup-self tells.
    const cap = hardEndAt ?? session.maxEndsAt;
    this.hardEndAt = session.renewable ? cap : (session.expiresAt ?? undefined);
    if (session.expiresAt === null) return;
    const now = this.options.clock.now();
    if (this.extendable()) {
      this.nextRenewAt = now + (session.expiresAt - now) * RENEW_AT;
      this.at(this.nextRenewAt, () => void this.track(this.renew(session)));
    }
    this.at(session.expiresAt, () => this.changed());
    if (this.hardEndAt !== undefined)
      this.at(this.hardEndAt - (this.options.endingSoonMs ?? ENDING_SOON_MS), () => this.changed());
  }

  private async renew(session: VaultSession): Promise<void> {
    const token = this.token;
    if (!token) return;
    const now = this.options.clock.now();
    const increment = session.ttlAtIssueSeconds ?? 0;
    try {
      const response = await this.options
        .client(token)
        .write('auth/token/renew-self', { increment }, renewAuth);
      const lease = response.envelope.auth?.lease_duration ?? 0;
      // Vault answers a renewal past max TTL with 200, renewable true, a shorter lease and a warning.
      const capped =
        lease < increment ||
        response.warnings.some((w) => w.includes('exceeded the effective max_ttl'));
      const renewed: VaultSession = { ...session, expiresAt: now + lease * 1000 };
      this.backoffMs = BACKOFF_MIN_MS;
      if (capped)
        this.options.logger?.info(
          'the Vault token reached its maximum lifetime; a new sign-in will be needed',
        );
      this.follow(renewed, capped ? renewed.expiresAt! : undefined);
      this.changed();
    } catch (error) {
      if (isRefusal(error) && (error as VaultError).kind === 'invalid_token') {
        this.verified = true;
        this.markRejected();
        return;
      }
      if (isRefusal(error)) {
        // The token may not renew itself: it lives until it expires.
        this.follow({ ...session, renewable: false });
        this.changed();
        return;
      }
      // Vault unreachable or failing: retry with backoff, never later than the token's expiry.
      this.options.logger?.warn(
        `could not renew the Vault token (${(error as Error).message}); trying again`,
      );
      this.clearTimers();
      this.nextRenewAt = Math.min(now + this.nextBackoff(), (session.expiresAt ?? Infinity) - 1000);
      this.at(this.nextRenewAt, () => void this.track(this.renew(session)));
      this.at(session.expiresAt!, () => this.changed());
      this.changed();
    }
  }

  private nextBackoff(): number {
    const delay = this.backoffMs * (0.9 + Math.random() * 0.2);
    this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
    return delay;
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.work = work;
    return work;
  }

  private changed(): SessionSnapshot {
    const snapshot = this.snapshot();
    if (!this.stopped) this.options.onChange?.(snapshot);
    return snapshot;
  }

  private clearTimers(): void {
    for (const timer of this.timers) this.options.clock.clearTimeout(timer);
    this.timers = [];
  }

  private at(instant: number, action: () => void): void {
    if (this.stopped || this.options.timers === false) return;
    this.timers.push(
      this.options.clock.setTimeout(action, Math.max(0, instant - this.options.clock.now())),
    );
  }
}

/** Vault refuses the token itself, rather than failing to answer. */
function isRefusal(error: unknown): boolean {
  return (
    error instanceof VaultError &&
    (error.kind === 'invalid_token' || error.kind === 'permission_denied')
  );
}

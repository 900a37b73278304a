import type { SessionStateName } from '../../shared/states.js';
import type { Clock, Logger, SecretStore, TimerHandle } from '../ports.js';
import { ENDING_SOON_MS } from './app-status.js';
import { BACKOFF_MAX_MS, BACKOFF_MIN_MS } from './refresh-policy.js';
import type { VaultClient } from '../vault/client.js';
import { VaultError } from '../vault/errors.js';
import type { VaultAuth } from '../vault/schemas.js';
import { lookupSession, sessionKey } from '../vault/session.js';
import type { VaultSession } from '../vault/session.js';
import { z } from '../../shared/zod.js';

/** Renew at this share of the time left, as Vault's own LifetimeWatcher roughly does (§7.2). */
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
  /** The interactive sign-in (it may open a browser); only ever called by {@link SessionKeeper.signIn}. */
  signIn(): Promise<Pick<VaultAuth, 'client_token'>>;
  onChange?(snapshot: SessionSnapshot): void;
}

const renewAuth = z.null();

/**
 * The Vault token's whole life (design.md "Timing"): looked up at start, renewed at about two
 * thirds of what is left, its max-TTL cap detected, `ending_soon` before the hard end and
 * `needs_sign_in` after it. Nothing here opens a browser on its own: only {@link signIn} does,
 * and concurrent callers of it share one sign-in.
 */
export class SessionKeeper {
  private token?: string;
  private snapshotValue: SessionSnapshot = { state: 'signed_out' };
  private timers: TimerHandle[] = [];
  private work: Promise<unknown> = Promise.resolve();
  private pendingSignIn?: Promise<SessionSnapshot>;
  private backoffMs = BACKOFF_MIN_MS;
  private stopped = false;
  /** The TTL asked for at each renewal: the token's lifetime when it was issued. */
  private increment = 0;

  constructor(private readonly options: SessionKeeperOptions) {}

  get key(): string {
    return sessionKey(this.options.address, this.options.namespace);
  }

  snapshot(): SessionSnapshot {
    return this.snapshotValue;
  }

  /** The token, while Vault accepts it. */
  currentToken(): string | undefined {
    const state = this.snapshotValue.state;
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

  /** Reads the stored token and asks Vault about it; a rejected one means sign in again, quietly. */
  async start(): Promise<SessionSnapshot> {
    this.token = await this.options.secrets.get(this.key);
    if (!this.token) return this.set({ state: 'signed_out' });
    return this.track(this.lookup());
  }

  /** The interactive sign-in, shared by everyone who asks while one is running. */
  signIn(): Promise<SessionSnapshot> {
    this.pendingSignIn ??= (async () => {
      try {
        const auth = await this.options.signIn();
        this.token = auth.client_token;
        await this.options.secrets.set(this.key, auth.client_token);
        return await this.lookup();
      } finally {
        this.pendingSignIn = undefined;
      }
    })();
    return this.pendingSignIn;
  }

  /** Revokes the token at Vault if it can (best effort) and forgets it. */
  async logout(): Promise<void> {
    this.clearTimers();
    const token = this.token;
    this.token = undefined;
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
    this.set({ state: 'signed_out' });
  }

  /** Vault refused the token elsewhere (a refresh saw `invalid token`): sign in again. */
  rejected(): void {
    if (this.snapshotValue.state !== 'signed_out') this.expired();
  }

  /** No more timers and no more reports; work in flight finishes quietly (see `settled`). */
  stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  private track<T>(work: Promise<T>): Promise<T> {
    this.work = work;
    return work;
  }

  private set(snapshot: SessionSnapshot): SessionSnapshot {
    this.snapshotValue = snapshot;
    if (!this.stopped) this.options.onChange?.(snapshot);
    return snapshot;
  }

  private clearTimers(): void {
    for (const timer of this.timers) this.options.clock.clearTimeout(timer);
    this.timers = [];
  }

  private at(instant: number, action: () => void): void {
    if (this.stopped) return;
    this.timers.push(
      this.options.clock.setTimeout(action, Math.max(0, instant - this.options.clock.now())),
    );
  }

  private async lookup(): Promise<SessionSnapshot> {
    const token = this.token!;
    let session: VaultSession;
    try {
      session = await lookupSession(
        this.options.client(token),
        this.options.namespace,
        this.options.clock,
      );
    } catch (error) {
      if (
        error instanceof VaultError &&
        (error.kind === 'invalid_token' || error.kind === 'permission_denied')
      ) {
        return this.expired();
      }
      throw error;
    }
    this.increment = session.ttlAtIssueSeconds ?? 0;
    return this.schedule(session, session.renewable ? undefined : (session.expiresAt ?? undefined));
  }

  /** Sets the timers for the next renewal and for the state changes ahead. */
  private schedule(session: VaultSession, hardEndAt: number | undefined): SessionSnapshot {
    this.clearTimers();
    const now = this.options.clock.now();
    if (session.expiresAt === null) return this.set({ state: 'active', session });
    const endingSoonMs = this.options.endingSoonMs ?? ENDING_SOON_MS;
    const end = hardEndAt ?? session.expiresAt;
    let nextRenewAt: number | undefined;
    if (hardEndAt === undefined) {
      nextRenewAt = now + (session.expiresAt - now) * RENEW_AT;
      this.at(nextRenewAt, () => void this.track(this.renew(session)));
    }
    this.at(session.expiresAt, () => this.expired());
    if (hardEndAt !== undefined)
      this.at(hardEndAt - endingSoonMs, () =>
        this.set({ ...this.snapshotValue, state: 'ending_soon' }),
      );
    const state = hardEndAt !== undefined && end - now <= endingSoonMs ? 'ending_soon' : 'active';
    return this.set({ state, session, hardEndAt, nextRenewAt });
  }

  private expired(): SessionSnapshot {
    this.clearTimers();
    return this.set({
      state: 'needs_sign_in',
      session: this.snapshotValue.session,
      hardEndAt: this.snapshotValue.hardEndAt,
    });
  }

  private async renew(session: VaultSession): Promise<void> {
    const token = this.token;
    if (!token) return;
    const now = this.options.clock.now();
    try {
      const response = await this.options
        .client(token)
        .write('auth/token/renew-self', { increment: this.increment }, renewAuth);
      const lease = response.envelope.auth?.lease_duration ?? 0;
      // Vault answers a renewal past max TTL with 200, renewable true, a shorter lease and a warning.
      const capped =
        lease < this.increment ||
        response.warnings.some((w) => w.includes('exceeded the effective max_ttl'));
      const renewed: VaultSession = { ...session, expiresAt: now + lease * 1000 };
      this.backoffMs = BACKOFF_MIN_MS;
      if (capped)
        this.options.logger?.info(
          'the Vault token reached its maximum lifetime; a new sign-in will be needed',
        );
      this.schedule(renewed, capped ? renewed.expiresAt! : undefined);
    } catch (error) {
      if (error instanceof VaultError && error.kind === 'invalid_token') {
        this.expired();
        return;
      }
      if (error instanceof VaultError && error.kind === 'permission_denied') {
        // The token may not renew itself: it lives until it expires.
        this.schedule(session, session.expiresAt ?? undefined);
        return;
      }
      // Vault unreachable or failing: retry with backoff, never later than the token's expiry.
      const retryAt = Math.min(
        now + this.backoffMs * (0.9 + Math.random() * 0.2),
        (session.expiresAt ?? Infinity) - 1000,
      );
      this.backoffMs = Math.min(this.backoffMs * 2, BACKOFF_MAX_MS);
      this.options.logger?.warn(
        `could not renew the Vault token (${(error as Error).message}); trying again`,
      );
      this.clearTimers();
      this.at(retryAt, () => void this.track(this.renew(session)));
      this.at(session.expiresAt!, () => this.expired());
      this.set({ ...this.snapshotValue, nextRenewAt: retryAt });
    }
  }
}

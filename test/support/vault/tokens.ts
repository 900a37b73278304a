import { humanDuration } from './durations.js';
import { base62 } from './ids.js';

/** How a token's TTL is recomputed on renewal: the auth method's current settings. */
export interface TtlSource {
  /** The method's TTL (role `token_ttl`) in seconds, 0 for the mount default. */
  ttl: number;
  /** The method's max TTL (role `token_max_ttl`) in seconds, 0 for the mount max. */
  maxTtl: number;
  period: number;
}

export interface TokenEntry {
  id: string;
  accessor: string;
  namespace: string;
  policies: string[];
  identityPolicies: string[];
  meta: Record<string, string> | null;
  displayName: string;
  path: string;
  numUses: number;
  orphan: boolean;
  renewable: boolean;
  entityId: string;
  /** Seconds since the epoch. */
  creationTime: number;
  creationTtl: number;
  explicitMaxTtl: number;
  /** Milliseconds since the epoch; null for tokens that never expire (root). */
  expireTime: number | null;
  issueTime: number;
  lastRenewalTime: number | null;
  parent: string | null;
  /** Re-read on each renewal; for login tokens it re-reads the role. */
  ttlSource: () => TtlSource | { error: string };
  leases: Set<string>;
}

export type NewToken = Omit<
  TokenEntry,
  'id' | 'accessor' | 'leases' | 'issueTime' | 'creationTime' | 'lastRenewalTime'
>;

/** Mount TTL limits in seconds (`sys/mounts` tune; Vault's system default is 768h). */
export interface MountTtls {
  defaultLeaseTtl: number;
  maxLeaseTtl: number;
}

export const SYSTEM_MAX_TTL = 2_764_800;

export interface TtlResult {
  ttl: number;
  warnings: string[];
  error?: string;
}

/**
 * `framework.CalculateTTL`: the TTL a lease gets, capped by the effective max TTL counted from the
 * start time. Times are truncated to whole seconds, as Vault does.
 */
export function calculateTtl(args: {
  nowMs: number;
  increment: number;
  backendTtl: number;
  period: number;
  backendMaxTtl: number;
  explicitMaxTtl: number;
  startMs?: number;
  mount: MountTtls;
}): TtlResult {
  const now = Math.floor(args.nowMs / 1000);
  const start = args.startMs === undefined ? now : Math.floor(args.startMs / 1000);
  let maxTtl = args.mount.maxLeaseTtl;
  if (args.backendMaxTtl > 0 && args.backendMaxTtl < maxTtl) maxTtl = args.backendMaxTtl;
  if (args.explicitMaxTtl > 0 && args.explicitMaxTtl < maxTtl) maxTtl = args.explicitMaxTtl;
  const warnings: string[] = [];
  let ttl: number;
  let maxValidTime: number | null = null;
  if (args.period > 0) {
    let period = args.period;
    if (period > maxTtl) {
      warnings.push(
        `period of "${humanDuration(period)}" exceeded the effective max_ttl of "${humanDuration(maxTtl)}"; period value is capped accordingly`,
      );
      period = maxTtl;
    }
    ttl = period;
    if (args.explicitMaxTtl > 0) maxValidTime = start + args.explicitMaxTtl;
  } else {
    ttl =
      args.increment > 0
        ? args.increment
        : args.backendTtl > 0
          ? args.backendTtl
          : args.mount.defaultLeaseTtl;
    maxValidTime = start + maxTtl;
  }
  if (maxValidTime !== null) {
    const maxValidTtl = maxValidTime - now;
    if (maxValidTtl <= 0) return { ttl: 0, warnings, error: 'past the max TTL, cannot renew' };
    if (maxValidTtl < ttl) {
      warnings.push(
        `TTL of "${humanDuration(ttl)}" exceeded the effective max_ttl of "${humanDuration(maxValidTtl)}"; TTL value is capped accordingly`,
      );
      ttl = maxValidTtl;
    }
  }
  return { ttl, warnings };
}

/** The token store of one emulator. Expired tokens are dropped the moment they are looked up. */
export class TokenStore {
  private readonly byId = new Map<string, TokenEntry>();

  constructor(
    private readonly now: () => number,
    private readonly onRevoke: (entry: TokenEntry) => void,
  ) {}

  create(fields: NewToken, namespaceId: string): TokenEntry {
    const now = this.now();
    // Service tokens are "hvs." + base62; tokens of a child namespace carry its id as a suffix.
    const suffix = namespaceId === 'root' ? '' : `.${namespaceId}`;
    const entry: TokenEntry = {
      ...fields,
      id: `hvs.${base62(91)}${suffix}`,
      accessor: `${base62(24)}${suffix}`,
      leases: new Set(),
      issueTime: now,
      creationTime: Math.floor(now / 1000),
      lastRenewalTime: null,
    };
    this.byId.set(entry.id, entry);
    return entry;
  }

  /** The live token, or undefined when it never existed, was revoked or has expired. */
  lookup(id: string): TokenEntry | undefined {
    const entry = this.byId.get(id);
    if (!entry) return undefined;
    if (entry.expireTime !== null && entry.expireTime <= this.now()) {
      this.revoke(entry);
      return undefined;
    }
    return entry;
  }

  /** Revokes the token, its children and (through onRevoke) every lease it created. */
  revoke(entry: TokenEntry): void {
    if (!this.byId.delete(entry.id)) return;
    for (const child of [...this.byId.values()].filter((t) => t.parent === entry.id)) {
      this.revoke(child);
    }
    this.onRevoke(entry);
  }

  all(): TokenEntry[] {
    return [...this.byId.values()];
  }
}

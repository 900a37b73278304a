import type { Backend, BackendReply, BackendRequest } from './backend.js';
import { DurationError, parseDurationSecond } from './durations.js';
import { authBlockOf, sanitizePolicies } from './emulator.js';
import type { VaultEmulator } from './emulator.js';
import { errorReply, failReply } from './envelope.js';
import { calculateTtl } from './tokens.js';
import type { TokenEntry } from './tokens.js';

/** Go's RFC3339Nano: fractional seconds without trailing zeros. */
function rfc3339(ms: number): string {
  return new Date(ms).toISOString().replace(/\.?0+Z$/, 'Z');
}

function durationField(data: Record<string, unknown>, field: string): number | BackendReply {
  try {
    return parseDurationSecond(data[field]);
  } catch (error) {
    if (!(error instanceof DurationError)) throw error;
    return errorReply(
      400,
      `Field validation failed: error converting input ${String(data[field])} for field "${field}": ${error.message}`,
    );
  }
}

function listField(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string') return value.split(',');
  return [];
}

/** `auth/token/`: lookup-self, renew-self, revoke-self and create (`vault/token_store.go`). */
export class TokenBackend implements Backend {
  readonly type = 'token';

  constructor(private readonly vault: VaultEmulator) {}

  isUnauthenticated(): boolean {
    return false;
  }

  async handle(req: BackendRequest): Promise<BackendReply> {
    const token = req.token!;
    switch (req.path) {
      case 'lookup-self':
        if (req.operation !== 'read' && req.operation !== 'update')
          return failReply(405, 'unsupported operation');
        return { kind: 'ok', data: this.lookupData(token) };
      case 'renew-self':
        if (req.operation !== 'update') return failReply(405, 'unsupported operation');
        return this.renew(token, req.data);
      case 'revoke-self':
        if (req.operation !== 'update') return failReply(405, 'unsupported operation');
        this.vault.tokens.revoke(token);
        await this.vault.settleRevocations();
        return { kind: 'none' };
      case 'create':
        if (req.operation !== 'update' && req.operation !== 'create')
          return failReply(405, 'unsupported operation');
        return this.create(req);
      default:
        return failReply(404, 'unsupported path');
    }
  }

  private lookupData(token: TokenEntry): Record<string, unknown> {
    const now = this.vault.now();
    const data: Record<string, unknown> = {
      accessor: token.accessor,
      creation_time: token.creationTime,
      creation_ttl: token.creationTtl,
      display_name: token.displayName,
      entity_id: token.entityId,
      expire_time: token.expireTime === null ? null : rfc3339(token.expireTime),
      explicit_max_ttl: token.explicitMaxTtl,
      id: token.id,
      meta: token.meta,
      num_uses: token.numUses,
      orphan: token.orphan,
      path: token.path,
      policies: token.policies,
      ttl: token.expireTime === null ? 0 : Math.round((token.expireTime - now) / 1000),
      type: 'service',
    };
    // Only tokens that expire have a lease, and with it `renewable` and `issue_time`.
    if (token.expireTime !== null) {
      data.renewable = token.renewable;
      data.issue_time = rfc3339(token.issueTime);
    }
    if (token.lastRenewalTime !== null) {
      data.last_renewal_time = Math.floor(token.lastRenewalTime / 1000);
      data.last_renewal = rfc3339(token.lastRenewalTime);
    }
    if (token.identityPolicies.length > 0) {
      data.identity_policies = token.identityPolicies;
      data.external_namespace_policies = {};
    }
    if (token.namespace !== '') data.namespace_path = token.namespace;
    return data;
  }

  private renew(token: TokenEntry, data: Record<string, unknown>): BackendReply {
    const increment = durationField(data, 'increment');
    if (typeof increment !== 'number') return increment;
    if (token.expireTime === null) return errorReply(400, 'lease not found');
    if (!token.renewable) return errorReply(400, 'lease is not renewable');
    const source = token.ttlSource();
    if ('error' in source) return failReply(500, source.error);
    const result = calculateTtl({
      nowMs: this.vault.now(),
      increment,
      backendTtl: source.ttl,
      period: source.period,
      backendMaxTtl: source.maxTtl,
      explicitMaxTtl: token.explicitMaxTtl,
      startMs: token.issueTime,
      mount: this.vault.namespace(token.namespace).authMounts.get('token/')!.ttls,
    });
    if (result.error) return failReply(500, result.error);
    token.expireTime = this.vault.now() + result.ttl * 1000;
    token.lastRenewalTime = this.vault.now();
    return { kind: 'ok', auth: authBlockOf(token, result.ttl), warnings: result.warnings };
  }

  private create(req: BackendRequest): BackendReply {
    const parent = req.token!;
    const { data } = req;
    const ttl = durationField(data, 'ttl');
    if (typeof ttl !== 'number') return ttl;
    const explicitMaxTtl = durationField(data, 'explicit_max_ttl');
    if (typeof explicitMaxTtl !== 'number') return explicitMaxTtl;
    const period = durationField(data, 'period');
    if (typeof period !== 'number') return period;
    const noDefault = data.no_default_policy === true || data.no_default_policy === 'true';
    const requested = listField(data.policies);
    const parentIsRoot = parent.policies.includes('root');
    const policies = sanitizePolicies(
      requested.length > 0 ? requested : parent.policies,
      !noDefault,
    );
    if (!parentIsRoot) {
      const allowed = new Set([...parent.policies, 'default']);
      if (policies.some((p) => !allowed.has(p)))
        return errorReply(400, 'child policies must be subset of parent');
    }
    const result = calculateTtl({
      nowMs: this.vault.now(),
      increment: 0,
      backendTtl: ttl,
      period,
      backendMaxTtl: 0,
      explicitMaxTtl,
      mount: req.mount.ttls,
    });
    const displayName =
      typeof data.display_name === 'string' && data.display_name
        ? `token-${data.display_name}`
        : 'token';
    const orphan = parentIsRoot && (data.no_parent === true || data.no_parent === 'true');
    const entry = this.vault.tokens.create(
      {
        namespace: req.ns.path,
        policies,
        identityPolicies: [],
        meta: (data.meta as Record<string, string> | undefined) ?? null,
        displayName,
        path: 'auth/token/create',
        numUses: Number(data.num_uses ?? 0),
        orphan,
        renewable:
          data.renewable === undefined
            ? true
            : data.renewable === true || data.renewable === 'true',
        entityId: '',
        creationTtl: result.ttl,
        explicitMaxTtl,
        expireTime: this.vault.now() + result.ttl * 1000,
        parent: orphan ? null : parent.id,
        // Renewed without an increment, a created token gets its original TTL again.
        ttlSource: () => ({ ttl: result.ttl, maxTtl: 0, period }),
      },
      req.ns.id,
    );
    return { kind: 'ok', auth: authBlockOf(entry, result.ttl), warnings: result.warnings };
  }
}

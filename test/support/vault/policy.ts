/**
 * ACL policies: a parser for the `path "..." { capabilities = [...] }` subset of HCL that team
 * policies use, and the evaluation rules of Vault's `vault/acl.go` (exact paths, `*` globs, `+`
 * segment wildcards, priority between them, deny wins, capabilities merged across policies).
 */

export const CAPABILITIES = [
  'create',
  'read',
  'update',
  'patch',
  'delete',
  'list',
  'sudo',
  'subscribe',
  'recover',
  'deny',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

export interface PathRule {
  path: string;
  capabilities: Capability[];
}

export class PolicyParseError extends Error {}

/** Parses the HCL subset: `path "<glob>" { capabilities = ["read", ...] }`, with comments. */
export function parsePolicy(text: string): PathRule[] {
  const src = text.replace(/(^|[^:])\/\/.*$/gm, '$1').replace(/#.*$/gm, '');
  const rules: PathRule[] = [];
  const block = /path\s+"([^"]*)"\s*\{([^}]*)\}/g;
  for (const m of src.matchAll(block)) {
    const caps = /capabilities\s*=\s*\[([^\]]*)\]/.exec(m[2]!);
    if (!caps) throw new PolicyParseError(`path "${m[1]}": missing capabilities`);
    const list = [...caps[1]!.matchAll(/"([^"]*)"/g)].map((c) => c[1]!);
    for (const c of list) {
      if (!(CAPABILITIES as readonly string[]).includes(c)) {
        throw new PolicyParseError(`path "${m[1]}": invalid capability "${c}"`);
      }
    }
    rules.push({ path: m[1]!, capabilities: list as Capability[] });
  }
  const leftover = src.replace(block, '').trim();
  if (leftover)
    throw new PolicyParseError(`failed to parse policy: unexpected "${leftover.slice(0, 40)}"`);
  return rules;
}

interface MergedRule {
  pattern: string;
  caps: Set<Capability>;
}

const OPERATION_CAPABILITY: Record<string, Capability> = {
  read: 'read',
  list: 'list',
  update: 'update',
  create: 'create',
  delete: 'delete',
  patch: 'patch',
};

function merge(into: Map<string, MergedRule>, rule: PathRule): void {
  const existing = into.get(rule.path) ?? { pattern: rule.path, caps: new Set<Capability>() };
  for (const c of rule.capabilities) existing.caps.add(c);
  if (existing.caps.has('deny')) existing.caps = new Set(['deny']);
  into.set(rule.path, existing);
}

function wildcardRegex(pattern: string): RegExp {
  const glob = pattern.endsWith('*');
  const body = glob ? pattern.slice(0, -1) : pattern;
  const segments = body
    .split('/')
    .map((seg) => (seg === '+' ? '[^/]+' : seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
  let source = segments.join('/');
  if (glob) source += '.*';
  return new RegExp(`^${source}$`);
}

function firstWildcard(pattern: string): number {
  const plus = pattern.split('/').findIndex((s) => s === '+');
  const plusAt = plus < 0 ? Infinity : pattern.split('/').slice(0, plus).join('/').length;
  const star = pattern.endsWith('*') ? pattern.length - 1 : Infinity;
  return Math.min(plusAt, star);
}

/** Vault's priority order between non-exact matches: true when `a` beats `b`. */
function higherPriority(a: string, b: string): boolean {
  const wa = firstWildcard(a);
  const wb = firstWildcard(b);
  if (wa !== wb) return wa > wb;
  const ga = a.endsWith('*');
  const gb = b.endsWith('*');
  if (ga !== gb) return !ga;
  const pa = a.split('/').filter((s) => s === '+').length;
  const pb = b.split('/').filter((s) => s === '+').length;
  if (pa !== pb) return pa < pb;
  if (a.length !== b.length) return a.length > b.length;
  return a > b;
}

/** The merged rules of a token's policies. `root` grants everything. */
export class Acl {
  private readonly exact = new Map<string, MergedRule>();
  private readonly nonExact = new Map<string, MergedRule>();

  constructor(
    rules: PathRule[],
    readonly root = false,
  ) {
    for (const rule of rules) {
      const isExact = !rule.path.endsWith('*') && !rule.path.split('/').includes('+');
      merge(isExact ? this.exact : this.nonExact, rule);
    }
  }

  private match(path: string, list: boolean): Set<Capability> | undefined {
    const exact =
      this.exact.get(path) ?? (list ? this.exact.get(path.replace(/\/$/, '')) : undefined);
    if (exact) return exact.caps;
    let best: MergedRule | undefined;
    for (const rule of this.nonExact.values()) {
      if (!wildcardRegex(rule.pattern).test(path)) continue;
      if (!best || higherPriority(rule.pattern, best.pattern)) best = rule;
    }
    return best?.caps;
  }

  /** Sorted capabilities on `path`, `["root"]` for root, `["deny"]` when nothing is granted. */
  capabilities(path: string): string[] {
    if (this.root) return ['root'];
    const caps = this.match(path, false);
    if (!caps || caps.size === 0 || caps.has('deny')) return ['deny'];
    return [...caps].sort();
  }

  allows(path: string, operation: string): boolean {
    if (this.root) return true;
    const caps = this.match(path, operation === 'list');
    if (!caps || caps.has('deny')) return false;
    const needed = OPERATION_CAPABILITY[operation];
    return needed !== undefined && caps.has(needed);
  }

  /** `hasMountAccess`: does any rule grant something at or under the mount path? */
  hasMountAccess(mountPath: string): boolean {
    if (this.root) return true;
    if (!this.capabilities(mountPath).includes('deny')) return true;
    const grants = (rule: MergedRule) => rule.caps.size > 0 && !rule.caps.has('deny');
    for (const rule of this.exact.values()) {
      if (rule.pattern.startsWith(mountPath) && grants(rule)) return true;
    }
    for (const rule of this.nonExact.values()) {
      if (!grants(rule)) continue;
      // The rule reaches under the mount when its first segments match the mount's segments.
      const bare = mountPath.replace(/\/$/, '').split('/');
      const head = rule.pattern.split('/').slice(0, bare.length).join('/');
      if (wildcardRegex(head).test(bare.join('/'))) return true;
    }
    return false;
  }
}

/** The built-in `default` policy: what every login token may do to itself (policy_store.go). */
export const DEFAULT_POLICY = `
path "auth/token/lookup-self" { capabilities = ["read"] }
path "auth/token/renew-self" { capabilities = ["update"] }
path "auth/token/revoke-self" { capabilities = ["update"] }
path "sys/capabilities-self" { capabilities = ["update"] }
path "sys/internal/ui/resultant-acl" { capabilities = ["read"] }
path "sys/renew" { capabilities = ["update"] }
path "sys/leases/renew" { capabilities = ["update"] }
path "sys/leases/lookup" { capabilities = ["update"] }
path "cubbyhole/*" { capabilities = ["create", "read", "update", "delete", "list"] }
path "cubbyhole" { capabilities = ["read", "list"] }
path "sys/wrapping/wrap" { capabilities = ["update"] }
path "sys/wrapping/lookup" { capabilities = ["update"] }
path "sys/wrapping/unwrap" { capabilities = ["update"] }
path "sys/tools/hash" { capabilities = ["update"] }
path "sys/tools/hash/*" { capabilities = ["update"] }
path "sys/control-group/request" { capabilities = ["update"] }
path "identity/entity/id/{{identity.entity.id}}" { capabilities = ["read"] }
path "identity/oidc/provider/+/authorize" { capabilities = ["read", "update"] }
`;

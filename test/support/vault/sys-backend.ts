import type { Backend, BackendReply, BackendRequest, MountEntry, Namespace } from './backend.js';
import type { VaultEmulator } from './emulator.js';
import { errorReply, failReply } from './envelope.js';
import { parsePolicy, PolicyParseError } from './policy.js';
import type { Acl } from './policy.js';

const JWT_TYPES = new Set(['jwt', 'oidc']);
const JWT_PLUGIN_VERSION = 'v0.24.1+builtin';
const UNAUTHENTICATED = [/^internal\/ui\/mounts(\/.*)?$/, /^mfa\/validate$/];

/** The mount info Vault shows for one mount (keys sorted, as Go encodes the map). */
function mountInfo(mount: MountEntry, version: string, auth: boolean): Record<string, unknown> {
  const config: Record<string, unknown> = {
    default_lease_ttl: mount.ttls.defaultLeaseTtl,
    force_no_cache: false,
    max_lease_ttl: mount.ttls.maxLeaseTtl,
  };
  if (auth) config.token_type = 'default-service';
  return {
    accessor: mount.accessor,
    config,
    description: mount.description,
    external_entropy_access: false,
    local: mount.local,
    options: null,
    plugin_version: '',
    // The JWT/OIDC plugin lives in its own repository and reports its own version.
    running_plugin_version: JWT_TYPES.has(mount.type)
      ? JWT_PLUGIN_VERSION
      : `v${version}+builtin.vault`,
    running_sha256: '',
    seal_wrap: false,
    type: mount.type,
    uuid: mount.uuid,
  };
}

function pathsOf(data: Record<string, unknown>): string[] {
  const raw = data.paths ?? data.path;
  const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(',') : [];
  return [...new Set(list.map((p) => String(p).trim()).filter((p) => p !== ''))];
}

/** The `sys/` mount: health, UI mount listing, capabilities, auth listing, policies, login MFA. */
export class SysBackend implements Backend {
  readonly type = 'system';

  constructor(private readonly vault: VaultEmulator) {}

  isUnauthenticated(path: string): boolean {
    return UNAUTHENTICATED.some((re) => re.test(path));
  }

  async handle(req: BackendRequest): Promise<BackendReply> {
    const { path, operation, data } = req;
    if (path === 'internal/ui/mounts' && operation === 'read') return this.uiMounts(req);
    if (path.startsWith('internal/ui/mounts/') && operation === 'read') return this.uiMount(req);
    if (path === 'capabilities-self' && operation === 'update') {
      const paths = pathsOf(data);
      if (paths.length === 0) return errorReply(400, 'paths must be supplied');
      const acl = this.vault.aclFor(req.token!, req.ns);
      const result: Record<string, unknown> = {};
      for (const p of paths) result[p] = acl.capabilities(p.replace(/^\//, ''));
      if (paths.length === 1) result.capabilities = result[paths[0]!];
      return { kind: 'ok', data: result, injectData: true };
    }
    if (path === 'auth' && operation === 'read') {
      const result: Record<string, unknown> = {};
      for (const mount of req.ns.authMounts.values())
        result[mount.path] = mountInfo(mount, this.vault.version, true);
      return { kind: 'ok', data: result, injectData: true };
    }
    if (path === 'mfa/validate' && operation === 'update') {
      return this.vault.validateMfa(req.ns, data.mfa_request_id, data.mfa_payload);
    }
    const policy = /^policies\/acl\/([^/]+)$/.exec(path);
    if (policy) return this.policy(req.ns, policy[1]!, req);
    return failReply(404, 'unsupported path');
  }

  /** sys/health: the status code tells the node's state; `*code` parameters override it. */
  health(
    method: string,
    query: URLSearchParams,
    state: { sealed: boolean; standby: boolean; serverTimeMs: number },
  ): { status: number; body: unknown } {
    if (method !== 'GET' && method !== 'HEAD') return { status: 405, body: { errors: [] } };
    const bool = (name: string): boolean | undefined | 'bad' => {
      const v = query.get(name);
      if (v === null) return undefined;
      if (/^(1|t|true|TRUE|True)$/.test(v)) return true;
      if (/^(0|f|false|FALSE|False)$/.test(v)) return false;
      return 'bad';
    };
    const code = (name: string, fallback: number): number | 'bad' => {
      const v = query.get(name);
      if (v === null) return fallback;
      return /^-?\d+$/.test(v) ? Number(v) : 'bad';
    };
    const standbyOk = bool('standbyok');
    const perfStandbyOk = bool('perfstandbyok');
    const codes = {
      active: code('activecode', 200),
      standby: code('standbycode', 429),
      sealed: code('sealedcode', 503),
      uninit: code('uninitcode', 501),
      dr: code('drsecondarycode', 472),
      perf: code('performancestandbycode', 473),
      removed: code('removedcode', 530),
      haUnhealthy: code('haunhealthycode', 474),
    };
    if (standbyOk === 'bad' || perfStandbyOk === 'bad' || Object.values(codes).includes('bad')) {
      return { status: 400, body: { errors: [] } };
    }
    let status = codes.active as number;
    if (state.sealed) status = codes.sealed as number;
    else if (state.standby)
      status = standbyOk ? (codes.active as number) : (codes.standby as number);
    const body: Record<string, unknown> = {
      initialized: true,
      sealed: state.sealed,
      standby: state.standby,
      performance_standby: false,
      replication_performance_mode: 'disabled',
      replication_dr_mode: 'disabled',
      server_time_utc: Math.floor(state.serverTimeMs / 1000),
      version: this.vault.version,
      enterprise: this.vault.isEnterprise(),
    };
    if (!state.sealed) {
      body.cluster_name = 'vault-cluster-emulator';
      body.cluster_id = this.vault.clusterId;
    }
    if (this.vault.traits.healthClockFields) {
      body.echo_duration_ms = 0;
      body.clock_skew_ms = 0;
      body.replication_primary_canary_age_ms = 0;
    }
    return { status, body };
  }

  private visibleMounts(
    req: BackendRequest,
  ): Array<{ mount: MountEntry; auth: boolean; aclPath: string }> {
    const all = [
      ...[...req.ns.secretMounts.values()].map((mount) => ({
        mount,
        auth: false,
        aclPath: mount.path,
      })),
      ...[...req.ns.authMounts.values()].map((mount) => ({
        mount,
        auth: true,
        aclPath: `auth/${mount.path}`,
      })),
    ];
    const acl: Acl | undefined = req.token ? this.vault.aclFor(req.token, req.ns) : undefined;
    return all.filter(({ mount, aclPath }) =>
      acl ? acl.hasMountAccess(aclPath) : mount.listingVisibility === 'unauth',
    );
  }

  private uiMounts(req: BackendRequest): BackendReply {
    const secret: Record<string, unknown> = {};
    const auth: Record<string, unknown> = {};
    for (const { mount, auth: isAuth } of this.visibleMounts(req)) {
      const info = req.token
        ? mountInfo(mount, this.vault.version, isAuth)
        : { description: mount.description, options: null, type: mount.type };
      (isAuth ? auth : secret)[mount.path] = sortObject(info);
    }
    return { kind: 'ok', data: { auth: sortObject(auth), secret: sortObject(secret) } };
  }

  private uiMount(req: BackendRequest): BackendReply {
    const wanted = `${req.path.slice('internal/ui/mounts/'.length).replace(/\/$/, '')}/`;
    const found = this.visibleMounts(req).find(({ aclPath }) => aclPath === wanted);
    if (!found) {
      return errorReply(
        403,
        `preflight capability check returned 403, please ensure client's policies grant access to path "${wanted}"`,
      );
    }
    return {
      kind: 'ok',
      data: { ...mountInfo(found.mount, this.vault.version, found.auth), path: found.mount.path },
    };
  }

  private policy(ns: Namespace, name: string, req: BackendRequest): BackendReply {
    const key = name.toLowerCase();
    switch (req.operation) {
      case 'read': {
        const rules = ns.policies.get(key);
        if (!rules) return { kind: 'notFound' };
        const text = rules
          .map(
            (r) =>
              `path "${r.path}" {\n  capabilities = [${r.capabilities.map((c) => `"${c}"`).join(', ')}]\n}`,
          )
          .join('\n\n');
        return { kind: 'ok', data: { name: key, policy: text } };
      }
      case 'update': {
        const text = req.data.policy;
        if (typeof text !== 'string' || text.trim() === '')
          return errorReply(400, "'policy' parameter not supplied or empty");
        try {
          ns.policies.set(key, parsePolicy(text));
        } catch (error) {
          if (error instanceof PolicyParseError)
            return errorReply(400, `failed to parse policy: ${error.message}`);
          throw error;
        }
        return { kind: 'none' };
      }
      case 'delete':
        if (key === 'default' || key === 'root')
          return errorReply(400, `cannot delete "${key}" policy`);
        ns.policies.delete(key);
        return { kind: 'none' };
      default:
        return failReply(405, 'unsupported operation');
    }
  }
}

function sortObject(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(value)
      .sort()
      .map((k) => [k, value[k]]),
  );
}

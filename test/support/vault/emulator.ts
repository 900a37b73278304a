import { createServer as createHttpServer, STATUS_CODES } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { systemClock } from '../../../src/core/clock.js';
import type { Clock } from '../../../src/core/ports.js';
import type {
  Backend,
  BackendReply,
  LoginAuth,
  MountEntry,
  Namespace,
  Operation,
} from './backend.js';
import { buildEnvelope, multierror } from './envelope.js';
import type { AuthBlock, Reply } from './envelope.js';
import { FaultInjector } from './faults.js';
import type { VaultFault } from './faults.js';
import { base62, uuid } from './ids.js';
import { Acl, DEFAULT_POLICY, parsePolicy } from './policy.js';
import { SysBackend } from './sys-backend.js';
import { TokenBackend } from './token-backend.js';
import { calculateTtl, SYSTEM_MAX_TTL, TokenStore } from './tokens.js';
import { TOTP_PERIOD_SECONDS, totpCodeAtStep, totpStep } from './totp.js';
import type { TokenEntry } from './tokens.js';
import { traitsOf } from './versions.js';
import type { VaultVersion, VersionTraits } from './versions.js';

export interface VaultEmulatorOptions {
  /** The Vault version whose response shapes and error strings to use (default 1.20.0). */
  version?: VaultVersion;
  clock?: Clock;
  /** Milliseconds added to the server's own clock in the `Date` header and sys/health. */
  dateOffsetMs?: number;
  /** Child namespaces (Vault Enterprise). Without any, X-Vault-Namespace is ignored, as CE does. */
  namespaces?: string[];
  host?: string;
  port?: number;
  /** Serve HTTPS with this key and certificate (PEM). */
  tls?: { key: string | Buffer; cert: string | Buffer };
}

export interface RequestRecord {
  at: number;
  method: string;
  path: string;
  namespace: string;
  query: Record<string, string>;
  headers: IncomingMessage['headers'];
  body: string;
  status: number;
}

interface PendingMfa {
  ns: Namespace;
  mount: MountEntry;
  fullPath: string;
  auth: LoginAuth & { mfa: NonNullable<LoginAuth['mfa']> };
  entityId: string;
}

/** A unit of work that revokes what a lease created (an IAM user); STS leases revoke nothing. */
export type LeaseRevoker = () => Promise<void>;

const JSON_BODY = /^\s*[{[]/;

/**
 * A Vault server on loopback that follows Vault's HTTP contract (docs/test-stack.md): envelopes, status codes, error strings,
 * tokens, ACL policies, namespaces, version differences, plus fault injection, a request log and
 * an injectable clock for tests. Auth methods and secret engines plug in as {@link Backend}s.
 */
export class VaultEmulator {
  readonly version: string;
  readonly traits: VersionTraits;
  readonly clock: Clock;
  dateOffsetMs: number;
  readonly requests: RequestRecord[] = [];
  readonly tokens: TokenStore;
  readonly rootToken: string;
  readonly clusterId = uuid();
  url = '';

  private readonly faults = new FaultInjector();
  private readonly namespaces = new Map<string, Namespace>();
  private readonly leases = new Map<string, { token: string; revoke: LeaseRevoker }>();
  private readonly pendingRevocations = new Set<Promise<void>>();
  private readonly pendingMfa = new Map<string, PendingMfa>();
  private readonly usedTotpCodes = new Map<string, number>();
  private readonly sockets = new Set<Socket>();
  private server?: Server;
  private sealed = false;
  /** undefined: active node; a URL: standby that redirects there; null: standby with no leader. */
  private standby: string | null | undefined = undefined;

  private constructor(private readonly options: VaultEmulatorOptions) {
    this.version = options.version ?? '1.20.0';
    this.traits = traitsOf(this.version);
    this.clock = options.clock ?? systemClock;
    this.dateOffsetMs = options.dateOffsetMs ?? 0;
    this.tokens = new TokenStore(
      () => this.clock.now(),
      (entry) => this.revokeLeasesOf(entry),
    );
    this.addNamespace('', 'root');
    for (const ns of options.namespaces ?? [])
      this.addNamespace(`${ns.replace(/^\/|\/$/g, '')}/`, base62(5));
    this.rootToken = this.tokens.create(
      {
        namespace: '',
        policies: ['root'],
        identityPolicies: [],
        meta: null,
        displayName: 'root',
        path: 'auth/token/root',
        numUses: 0,
        orphan: true,
        renewable: false,
        entityId: '',
        creationTtl: 0,
        explicitMaxTtl: 0,
        expireTime: null,
        parent: null,
        ttlSource: () => ({ ttl: 0, maxTtl: 0, period: 0 }),
      },
      'root',
    ).id;
  }

  static async start(options: VaultEmulatorOptions = {}): Promise<VaultEmulator> {
    const vault = new VaultEmulator(options);
    await vault.listen();
    return vault;
  }

  /** The emulator's clock as Vault's own sees it. */
  now(): number {
    return this.clock.now();
  }

  // ---- configuration used by tests and the stack -------------------------------------------

  namespace(path = ''): Namespace {
    const key = path === '' ? '' : `${path.replace(/^\/|\/$/g, '')}/`;
    const ns = this.namespaces.get(key);
    if (!ns) throw new Error(`no namespace "${path}" in this emulator`);
    return ns;
  }

  writePolicy(name: string, hcl: string, namespace = ''): void {
    this.namespace(namespace).policies.set(name.toLowerCase(), parsePolicy(hcl));
  }

  /** Mounts a backend at `path` (`aws/`, or `oidc/` for an auth method when `auth` is true). */
  mount(
    path: string,
    backend: Backend,
    options: {
      auth?: boolean;
      namespace?: string;
      description?: string;
      listingVisibility?: 'unauth' | 'hidden';
    } = {},
  ): MountEntry {
    const ns = this.namespace(options.namespace);
    const mountPath = `${path.replace(/^\/|\/$/g, '')}/`;
    const entry: MountEntry = {
      path: mountPath,
      type: backend.type,
      description: options.description ?? '',
      accessor: `${options.auth ? 'auth_' : ''}${backend.type}_${base62(8).toLowerCase()}`,
      uuid: uuid(),
      local: backend.type === 'cubbyhole',
      ttls: { defaultLeaseTtl: SYSTEM_MAX_TTL, maxLeaseTtl: SYSTEM_MAX_TTL },
      listingVisibility: options.listingVisibility ?? '',
      backend,
    };
    (options.auth ? ns.authMounts : ns.secretMounts).set(mountPath, entry);
    return entry;
  }

  /** Identity: members of this external group (from a groups claim) get these policies. */
  mapGroup(group: string, policies: string[], namespace = ''): void {
    this.namespace(namespace).groupPolicies.set(group, policies);
  }

  /** A token as `vault token create` makes it, for tests that start from a token. */
  createToken(options: {
    policies: string[];
    ttlSeconds?: number;
    explicitMaxTtlSeconds?: number;
    renewable?: boolean;
    noDefaultPolicy?: boolean;
    displayName?: string;
    namespace?: string;
  }): string {
    const ns = this.namespace(options.namespace);
    const tokenMount = ns.authMounts.get('token/')!;
    const ttl = calculateTtl({
      nowMs: this.now(),
      increment: 0,
      backendTtl: options.ttlSeconds ?? 0,
      period: 0,
      backendMaxTtl: 0,
      explicitMaxTtl: options.explicitMaxTtlSeconds ?? 0,
      mount: tokenMount.ttls,
    });
    return this.tokens.create(
      {
        namespace: ns.path,
        policies: sanitizePolicies(options.policies, !options.noDefaultPolicy),
        identityPolicies: [],
        meta: null,
        displayName: `token${options.displayName ? `-${options.displayName}` : ''}`,
        path: 'auth/token/create',
        numUses: 0,
        orphan: false,
        renewable: options.renewable ?? true,
        entityId: '',
        creationTtl: ttl.ttl,
        explicitMaxTtl: options.explicitMaxTtlSeconds ?? 0,
        expireTime: this.now() + ttl.ttl * 1000,
        parent: this.rootToken,
        ttlSource: () => ({ ttl: 0, maxTtl: 0, period: 0 }),
      },
      ns.id,
    ).id;
  }

  injectFault(fault: VaultFault): void {
    this.faults.add(fault);
  }

  clearFaults(): void {
    this.faults.clear();
  }

  seal(): void {
    this.sealed = true;
  }

  unseal(): void {
    this.sealed = false;
  }

  isSealed(): boolean {
    return this.sealed;
  }

  /** Makes this node a standby: it redirects (307) to `activeUrl`, or answers 503 with none. */
  setStandby(activeUrl: string | null | false): void {
    this.standby = activeUrl === false ? undefined : activeUrl;
  }

  /** Namespaces exist only in Vault Enterprise. */
  isEnterprise(): boolean {
    return this.namespaces.size > 1;
  }

  isStandby(): boolean {
    return this.standby !== undefined;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  // ---- services for backends ---------------------------------------------------------------

  /** The merged ACL of a token, seen from the namespace of the request. */
  aclFor(token: TokenEntry, ns: Namespace): Acl {
    if (token.policies.includes('root')) return new Acl([], true);
    const tokenNs = this.namespaces.get(token.namespace)!;
    const rules = [...token.policies, ...token.identityPolicies].flatMap(
      (name) => tokenNs.policies.get(name) ?? [],
    );
    // A parent-namespace token reaches a child through paths prefixed with the child's path.
    const relative = ns.path.slice(tokenNs.path.length);
    if (!relative) return new Acl(rules);
    return new Acl(
      rules
        .filter((rule) => rule.path.startsWith(relative))
        .map((rule) => ({ ...rule, path: rule.path.slice(relative.length) })),
    );
  }

  /** Records a lease so revoking its token revokes it too. */
  registerLease(token: TokenEntry | undefined, leaseId: string, revoke: LeaseRevoker): void {
    if (!token) return;
    this.leases.set(leaseId, { token: token.id, revoke });
    token.leases.add(leaseId);
  }

  /** Waits for the lease revocations a token revocation started (revoke-self answers after). */
  async settleRevocations(): Promise<void> {
    await Promise.all([...this.pendingRevocations]);
  }

  /** Turns a verified login into a token, or into an MFA requirement (`handleLoginRequest`). */
  completeLogin(
    ns: Namespace,
    mount: MountEntry,
    fullPath: string,
    auth: LoginAuth,
    warnings: string[] = [],
  ): Reply {
    const aliasKey = `${mount.accessor}/${auth.aliasName}`;
    let entityId = ns.entities.get(aliasKey);
    if (!entityId) {
      entityId = uuid();
      ns.entities.set(aliasKey, entityId);
    }
    if (auth.mfa) {
      const requestId = uuid();
      this.pendingMfa.set(requestId, {
        ns,
        mount,
        fullPath,
        auth: { ...auth, mfa: auth.mfa },
        entityId,
      });
      const mfaAuth: AuthBlock = {
        client_token: '',
        accessor: '',
        policies: null,
        token_policies: null,
        metadata: null,
        lease_duration: 0,
        renewable: false,
        entity_id: '',
        token_type: 'default',
        orphan: false,
        mfa_requirement: {
          mfa_request_id: requestId,
          mfa_constraints: {
            [auth.mfa.enforcement]: {
              any: [
                {
                  type: 'totp',
                  id: auth.mfa.methodId,
                  uses_passcode: true,
                  name: auth.mfa.methodName,
                },
              ],
            },
          },
        },
        num_uses: 0,
      };
      return {
        kind: 'ok',
        auth: mfaAuth,
        mountType: '',
        warnings: [
          ...warnings,
          'A login request was issued that is subject to MFA validation. Please make sure to validate the login by sending another request to mfa/validate endpoint.',
        ],
      };
    }
    return this.createLoginToken(ns, mount, fullPath, auth, entityId, warnings);
  }

  /** `sys/mfa/validate`: checks the TOTP passcode of a pending login and then issues the token. */
  validateMfa(ns: Namespace, requestId: unknown, payload: unknown): Reply {
    if (typeof requestId !== 'string' || requestId === '')
      return { kind: 'error', status: 400, errors: ['missing request ID'] };
    if (payload === undefined || payload === null)
      return { kind: 'error', status: 400, errors: ['missing mfa payload'] };
    if (typeof payload !== 'object')
      return { kind: 'error', status: 400, errors: ['invalid mfa payload'] };
    const pending = this.pendingMfa.get(requestId);
    if (!pending || pending.ns !== ns)
      return { kind: 'error', status: 400, errors: ['invalid request ID'] };
    const { mfa } = pending.auth;
    const creds = payload as Record<string, unknown>;
    const supplied = creds[mfa.methodId] ?? creds[ns.path + mfa.methodName];
    const passcode = Array.isArray(supplied) && typeof supplied[0] === 'string' ? supplied[0] : '';
    const problem = this.checkTotp(mfa.methodId, pending.entityId, mfa.totpSecret, passcode);
    if (problem) {
      // The pending login stays, so the user may try again with the next code.
      return {
        kind: 'error',
        status: 403,
        errors: [
          `failed to satisfy enforcement ${mfa.enforcement}. error: ${multierror([problem, `login MFA validation failed for methodID: [${mfa.methodId}]`])}`,
        ],
      };
    }
    this.pendingMfa.delete(requestId);
    return this.createLoginToken(
      pending.ns,
      pending.mount,
      pending.fullPath,
      pending.auth,
      pending.entityId,
      [],
    );
  }

  // ---- HTTP --------------------------------------------------------------------------------

  private addNamespace(path: string, id: string): void {
    const ns: Namespace = {
      path,
      id,
      secretMounts: new Map(),
      authMounts: new Map(),
      policies: new Map([['default', parsePolicy(DEFAULT_POLICY)]]),
      entities: new Map(),
      groupPolicies: new Map(),
    };
    this.namespaces.set(path, ns);
    const sys = new SysBackend(this);
    this.mount('sys', sys, {
      namespace: path,
      description: 'system endpoints used for control, policy and debugging',
    });
    this.mount('identity', passiveBackend('identity'), {
      namespace: path,
      description: 'identity store',
    });
    this.mount('cubbyhole', passiveBackend('cubbyhole'), {
      namespace: path,
      description: 'per-token private secret storage',
    });
    this.mount('token', new TokenBackend(this), {
      auth: true,
      namespace: path,
      description: 'token based credentials',
    });
  }

  private async listen(): Promise<void> {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const wire: WireRequest = {
          method: req.method ?? 'GET',
          url: req.url ?? '/',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          remoteAddr: req.socket.remoteAddress ?? '',
        };
        void this.process(wire).then((reply) => {
          if (reply === 'reset') return void req.socket.destroy();
          res.writeHead(reply.status, reply.headers);
          res.end(reply.body);
        });
      });
    };
    const server = this.options.tls
      ? createHttpsServer(this.options.tls, handler)
      : createHttpServer(handler);
    server.on('connection', (socket: Socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    // Node's HTTP parser does not know the LIST verb Vault accepts; such requests arrive here.
    server.on(
      'clientError',
      (error: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Socket) => {
        const wire =
          error.code === 'HPE_INVALID_METHOD'
            ? parseListRequest(error.rawPacket, socket)
            : undefined;
        if (!wire) return void socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
        void this.process(wire).then((reply) => {
          if (reply === 'reset') return void socket.destroy();
          socket.end(serializeResponse(reply));
        });
      },
    );
    const host = this.options.host ?? '127.0.0.1';
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.port ?? 0, host, () => resolve());
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    this.url = `${this.options.tls ? 'https' : 'http'}://${host}:${port}`;
  }

  /** One request in, one response out: everything between the socket and the backends. */
  private async process(req: WireRequest): Promise<WireResponse | 'reset'> {
    const url = new URL(req.url, 'http://vault.invalid');
    const record: RequestRecord = {
      at: this.now(),
      method: req.method,
      path: url.pathname,
      namespace: String(req.headers['x-vault-namespace'] ?? ''),
      query: Object.fromEntries(url.searchParams),
      headers: req.headers,
      body: req.body,
      status: 0,
    };
    this.requests.push(record);
    let reply: WireResponse | 'reset';
    try {
      reply = await this.answer(req, url);
    } catch (error) {
      reply = this.json(500, { errors: [multierror([String(error)])] });
    }
    record.status = reply === 'reset' ? 0 : reply.status;
    return reply;
  }

  private async answer(req: WireRequest, url: URL): Promise<WireResponse | 'reset'> {
    const fault = this.faults.take(req.method, url.pathname);
    if (fault?.kind === 'delay') await new Promise((r) => setTimeout(r, fault.ms));
    else if (fault?.kind === 'reset') return 'reset';
    else if (fault?.kind === 'malformed')
      return this.raw(200, '{"request_id": "', 'application/json');
    else if (fault?.kind === 'status') {
      return fault.body !== undefined
        ? this.raw(fault.status, fault.body, 'application/json')
        : this.json(fault.status, { errors: fault.errors ?? [] });
    }

    if (!url.pathname.startsWith('/v1/')) return this.json(404, { errors: [] });
    let path = decodeURIComponent(url.pathname.slice(4)).replace(/^\/+/, '');
    const resolved = this.resolveNamespace(String(req.headers['x-vault-namespace'] ?? ''), path);
    if (!resolved)
      return this.json(404, { errors: [`no handler for route "${path}". route entry not found.`] });
    const ns = resolved.ns;
    path = resolved.path;

    if (path === 'sys/health') return this.health(req.method, url.searchParams);
    if (this.sealed) return this.json(503, { errors: ['Vault is sealed'] });
    if (this.standby === null)
      return this.json(503, {
        errors: ['local node not active but active cluster node not found'],
      });
    if (this.standby !== undefined) {
      return this.raw(307, '', undefined, {
        Location: `${this.standby}${url.pathname}${url.search}`,
      });
    }

    const operation = operationOf(req.method, url.searchParams);
    if (operation === 'bad-list') return this.json(400, { errors: [] });
    if (!operation) return this.json(405, { errors: [] });
    if (operation === 'list' && !path.endsWith('/')) path += '/';

    const data = parseData(req.method, url.searchParams, req.body);
    if (data === undefined) return this.json(400, { errors: ['error parsing JSON'] });

    const routed = await this.route(ns, path, operation, data, req);
    return this.reply(routed.reply, routed.mountType);
  }

  private resolveNamespace(
    header: string,
    path: string,
  ): { ns: Namespace; path: string } | undefined {
    const root = this.namespaces.get('')!;
    if (this.namespaces.size === 1) return { ns: root, path };
    let nsPath = header.replace(/^\/+|\/+$/g, '');
    nsPath = nsPath ? `${nsPath}/` : '';
    // Enterprise also accepts the namespace as a prefix of the request path.
    let rest = path;
    for (const candidate of [...this.namespaces.keys()].sort((a, b) => b.length - a.length)) {
      if (candidate && rest.startsWith(candidate) && !nsPath.endsWith(candidate)) {
        nsPath += candidate;
        rest = rest.slice(candidate.length);
        break;
      }
    }
    const ns = this.namespaces.get(nsPath);
    return ns ? { ns, path: rest } : undefined;
  }

  private async route(
    ns: Namespace,
    path: string,
    operation: Operation,
    data: Record<string, unknown>,
    req: WireRequest,
  ): Promise<{ reply: Reply; mountType: string }> {
    const found = findMount(ns, path);
    const tokenId = tokenOf(req.headers);
    const token = tokenId ? this.tokens.lookup(tokenId) : undefined;
    const usable = token && ns.path.startsWith(token.namespace) ? token : undefined;
    const relPath = found ? path.slice(found.prefix.length) : '';
    const unauthenticated = found?.mount.backend.isUnauthenticated(relPath) ?? false;

    if (!unauthenticated) {
      if (!tokenId)
        return {
          reply: { kind: 'error', status: 403, errors: ['permission denied'] },
          mountType: '',
        };
      if (!usable) return { reply: this.invalidTokenReply(), mountType: '' };
      if (!this.aclFor(usable, ns).allows(path, operation)) {
        return {
          reply: { kind: 'error', status: 403, errors: [multierror(['permission denied'])] },
          mountType: '',
        };
      }
    } else if (tokenId && !usable && found?.mount.backend.type === 'system') {
      // sys/internal/ui/mounts filters by token, so a bad token there is still a 403.
      return { reply: this.invalidTokenReply(), mountType: '' };
    }
    if (!found) {
      return {
        reply: {
          kind: 'error',
          status: 404,
          errors: [`no handler for route "${path}". route entry not found.`],
        },
        mountType: '',
      };
    }
    const result: BackendReply = await found.mount.backend.handle({
      operation,
      path: relPath,
      fullPath: path,
      data,
      method: req.method,
      headers: req.headers,
      remoteAddr: req.remoteAddr,
      token: usable,
      mount: found.mount,
      ns,
      rawBody: req.body,
    });
    if (result.kind === 'login') {
      return {
        reply: this.completeLogin(ns, found.mount, path, result.auth, result.warnings),
        mountType: '',
      };
    }
    return { reply: result, mountType: found.mount.type };
  }

  private invalidTokenReply(): Reply {
    return this.traits.invalidTokenError
      ? { kind: 'error', status: 403, errors: [multierror(['permission denied', 'invalid token'])] }
      : { kind: 'error', status: 403, errors: ['permission denied'] };
  }

  private createLoginToken(
    ns: Namespace,
    mount: MountEntry,
    fullPath: string,
    auth: LoginAuth,
    entityId: string,
    warnings: string[],
  ): Reply {
    const ttl = calculateTtl({
      nowMs: this.now(),
      increment: 0,
      backendTtl: auth.ttl,
      period: auth.period,
      backendMaxTtl: auth.maxTtl,
      explicitMaxTtl: auth.explicitMaxTtl,
      mount: mount.ttls,
    });
    const identityPolicies = sanitizePolicies(
      auth.groupAliases.flatMap((group) => ns.groupPolicies.get(group) ?? []),
      false,
    );
    const tokenPolicies = sanitizePolicies(auth.policies, !auth.noDefaultPolicy);
    const entry = this.tokens.create(
      {
        namespace: ns.path,
        policies: tokenPolicies,
        identityPolicies,
        meta: auth.metadata,
        displayName: `${mount.path.replace(/\//g, '-')}${auth.displayName}`.replace(/-$/, ''),
        path: fullPath,
        numUses: auth.numUses,
        orphan: true,
        renewable: true,
        entityId,
        creationTtl: ttl.ttl,
        explicitMaxTtl: auth.explicitMaxTtl,
        expireTime: this.now() + ttl.ttl * 1000,
        parent: null,
        ttlSource: auth.ttlSource,
      },
      ns.id,
    );
    return {
      kind: 'ok',
      auth: authBlockOf(entry, ttl.ttl),
      mountType: '',
      warnings: [...warnings, ...ttl.warnings],
    };
  }

  private checkTotp(
    methodId: string,
    entityId: string,
    secret: string,
    passcode: string,
  ): string | undefined {
    const key = `${methodId}/${entityId}/${passcode}`;
    const usedUntil = this.usedTotpCodes.get(key);
    if (usedUntil !== undefined && usedUntil > this.now()) {
      return `code already used; new code is available in ${Math.ceil((usedUntil - this.now()) / 1000)} seconds`;
    }
    const step = totpStep(this.now());
    // Vault's TOTP method allows one step of skew either way by default.
    const match = [step - 1, step, step + 1].find((s) => totpCodeAtStep(secret, s) === passcode);
    if (match === undefined) return 'failed to validate TOTP passcode';
    this.usedTotpCodes.set(key, (match + 2) * TOTP_PERIOD_SECONDS * 1000);
    return undefined;
  }

  private revokeLeasesOf(entry: TokenEntry): void {
    for (const leaseId of entry.leases) {
      const lease = this.leases.get(leaseId);
      this.leases.delete(leaseId);
      if (!lease) continue;
      const work = lease.revoke().finally(() => this.pendingRevocations.delete(work));
      this.pendingRevocations.add(work);
    }
  }

  private health(method: string, query: URLSearchParams): WireResponse {
    const sys = this.namespace('').secretMounts.get('sys/')!.backend as SysBackend;
    const { status, body } = sys.health(method, query, {
      sealed: this.sealed,
      standby: this.standby !== undefined,
      serverTimeMs: this.now() + this.dateOffsetMs,
    });
    if (method === 'HEAD') return this.raw(status, '');
    return this.json(status, body);
  }

  private reply(reply: Reply, mountType: string): WireResponse {
    switch (reply.kind) {
      case 'ok': {
        const envelope = buildEnvelope(reply, mountType);
        return this.json(200, reply.injectData ? { ...envelope.data, ...envelope } : envelope);
      }
      case 'error':
        return this.json(reply.status, { errors: reply.errors });
      case 'fail':
        return this.json(reply.status, { errors: [multierror([reply.message])] });
      case 'raw':
        return this.raw(reply.status, reply.body, reply.contentType);
      case 'none':
        return this.raw(204, '');
      case 'notFound':
        return this.json(404, { errors: [] });
    }
  }

  private json(status: number, body: unknown): WireResponse {
    return this.raw(status, `${JSON.stringify(body)}\n`, 'application/json');
  }

  private raw(
    status: number,
    body: string,
    contentType?: string,
    extra: Record<string, string> = {},
  ): WireResponse {
    const headers: Record<string, string> = {
      'Cache-Control': 'no-store',
      Date: new Date(this.now() + this.dateOffsetMs).toUTCString(),
      ...extra,
    };
    if (contentType && body !== '') headers['Content-Type'] = contentType;
    return { status, headers, body };
  }
}

interface WireRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  remoteAddr: string;
}

interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** Reads a LIST request from the bytes Node's parser refused (a small request arrives whole). */
function parseListRequest(raw: Buffer | undefined, socket: Socket): WireRequest | undefined {
  const text = raw?.toString('utf8') ?? '';
  const headEnd = text.indexOf('\r\n\r\n');
  if (!text.startsWith('LIST ') || headEnd < 0) return undefined;
  const [requestLine, ...lines] = text.slice(0, headEnd).split('\r\n');
  const headers: IncomingHttpHeaders = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0)
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return {
    method: 'LIST',
    url: requestLine!.split(' ')[1] ?? '/',
    headers,
    body: text.slice(headEnd + 4),
    remoteAddr: socket.remoteAddress ?? '',
  };
}

function serializeResponse(reply: WireResponse): string {
  const headers = {
    ...reply.headers,
    'Content-Length': String(Buffer.byteLength(reply.body)),
    Connection: 'close',
  };
  const head = Object.entries(headers).map(([k, v]) => `${k}: ${v}`);
  return `HTTP/1.1 ${reply.status} ${STATUS_CODES[reply.status] ?? ''}\r\n${head.join('\r\n')}\r\n\r\n${reply.body}`;
}

/** `policyutil.SanitizePolicies`: trimmed, lower-cased, deduplicated, sorted, `default` added. */
export function sanitizePolicies(policies: string[], addDefault: boolean): string[] {
  const clean = policies.map((p) => p.trim().toLowerCase()).filter((p) => p !== '');
  if (clean.includes('root')) return ['root'];
  if (addDefault && !clean.includes('default')) clean.push('default');
  return [...new Set(clean)].sort();
}

export function authBlockOf(entry: TokenEntry, ttl: number): AuthBlock {
  return {
    client_token: entry.id,
    accessor: entry.accessor,
    policies: sanitizePolicies([...entry.policies, ...entry.identityPolicies], false),
    token_policies: entry.policies,
    // identity_policies is omitempty in Vault's JSON.
    ...(entry.identityPolicies.length > 0 ? { identity_policies: entry.identityPolicies } : {}),
    metadata: entry.meta,
    lease_duration: ttl,
    renewable: entry.renewable,
    entity_id: entry.entityId,
    token_type: 'service',
    orphan: entry.orphan,
    mfa_requirement: null,
    num_uses: entry.numUses,
  };
}

function passiveBackend(type: string): Backend {
  return {
    type,
    isUnauthenticated: () => false,
    handle: async () => ({ kind: 'notFound' }),
  };
}

function findMount(ns: Namespace, path: string): { mount: MountEntry; prefix: string } | undefined {
  if (path.startsWith('auth/')) {
    const rest = path.slice(5);
    const mount = [...ns.authMounts.values()]
      .filter((m) => rest.startsWith(m.path) || `${rest}/` === m.path)
      .sort((a, b) => b.path.length - a.path.length)[0];
    return mount ? { mount, prefix: `auth/${mount.path}` } : undefined;
  }
  const mount = [...ns.secretMounts.values()]
    .filter((m) => path.startsWith(m.path) || `${path}/` === m.path)
    .sort((a, b) => b.path.length - a.path.length)[0];
  return mount ? { mount, prefix: mount.path } : undefined;
}

function tokenOf(headers: IncomingHttpHeaders): string | undefined {
  const header = headers['x-vault-token'];
  if (typeof header === 'string' && header !== '') return header;
  const authz = headers.authorization;
  if (typeof authz === 'string' && /^Bearer\s+/i.test(authz))
    return authz.replace(/^Bearer\s+/i, '');
  return undefined;
}

function operationOf(method: string, query: URLSearchParams): Operation | 'bad-list' | undefined {
  const list = query.get('list');
  switch (method) {
    case 'GET':
      if (list === null) return 'read';
      if (/^(1|t|true|TRUE|True)$/.test(list)) return 'list';
      if (/^(0|f|false|FALSE|False)$/.test(list)) return 'read';
      return 'bad-list';
    case 'LIST':
      return 'list';
    case 'POST':
    case 'PUT':
      return 'update';
    case 'DELETE':
      return 'delete';
    case 'PATCH':
      return 'patch';
    default:
      return undefined;
  }
}

/** Request data: the query string for reads, else a JSON body, or a form when it is not JSON. */
function parseData(
  method: string,
  query: URLSearchParams,
  body: string,
): Record<string, unknown> | undefined {
  if (method === 'GET' || method === 'LIST' || method === 'DELETE') {
    const data: Record<string, unknown> = {};
    for (const [k, v] of query) if (k !== 'list') data[k] = v;
    return data;
  }
  if (body.trim() === '') return {};
  if (!JSON_BODY.test(body)) return Object.fromEntries(new URLSearchParams(body));
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : {};
  } catch {
    return undefined;
  }
}

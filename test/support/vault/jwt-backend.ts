import { createRemoteJWKSet, compactVerify, decodeJwt } from 'jose';
import type { JWTPayload } from 'jose';
import * as oidc from 'openid-client';
import type { Backend, BackendReply, BackendRequest, LoginAuth } from './backend.js';
import { DurationError, parseDurationSecond } from './durations.js';
import type { VaultEmulator } from './emulator.js';
import { errorReply, failReply, listReply } from './envelope.js';
import { base62 } from './ids.js';

/** `auth/<mount>/config` of the JWT/OIDC plugin. */
export interface JwtConfig {
  oidc_discovery_url: string;
  oidc_client_id: string;
  oidc_client_secret: string;
  oidc_response_mode: '' | 'query' | 'form_post';
  jwks_url: string;
  bound_issuer: string;
  default_role: string;
}

/** `auth/<mount>/role/:name`, plus the emulator's login-MFA option. */
export interface JwtRole {
  role_type: 'oidc' | 'jwt';
  user_claim: string;
  groups_claim: string;
  bound_audiences: string[];
  bound_subject: string;
  bound_claims: Record<string, string | string[]>;
  bound_claims_type: 'string' | 'glob';
  claim_mappings: Record<string, string>;
  oidc_scopes: string[];
  allowed_redirect_uris: string[];
  max_age: number;
  expiration_leeway: number;
  not_before_leeway: number;
  clock_skew_leeway: number;
  token_ttl: number;
  token_max_ttl: number;
  token_period: number;
  token_explicit_max_ttl: number;
  token_policies: string[];
  token_no_default_policy: boolean;
  token_num_uses: number;
  /** Login MFA enforced for this role (Vault: a login enforcement on this mount, TOTP method). */
  mfa?: { enforcement: string; methodName: string; methodId: string; totpSecret: string };
}

interface PendingState {
  role: string;
  nonce: string;
  verifier: string;
  redirectUri: string;
  clientNonce: string;
  createdAt: number;
  code?: string;
  idToken?: string;
}

/** Vault keeps OIDC state in memory for 10 minutes (`oidcRequestTimeout`). */
const STATE_TTL_MS = 10 * 60 * 1000;
const UNAUTHENTICATED = new Set(['login', 'oidc/auth_url', 'oidc/callback']);

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String);
  if (typeof value === 'string')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  return [];
}

/** `validRedirect`: loopback ports are ignored, but scheme, host string and path must match. */
function redirectAllowed(uri: string, allowed: string[]): boolean {
  let wanted: URL;
  try {
    wanted = new URL(uri);
  } catch {
    return false;
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(wanted.hostname);
  return allowed.some((candidate) => {
    if (candidate.toLowerCase() === uri.toLowerCase()) return true;
    if (!loopback) return false;
    try {
      const a = new URL(candidate);
      return (
        a.protocol === wanted.protocol &&
        a.hostname === wanted.hostname &&
        a.pathname === wanted.pathname &&
        a.search === wanted.search
      );
    } catch {
      return false;
    }
  });
}

function globMatch(pattern: string, value: string): boolean {
  const re = new RegExp(
    `^${pattern
      .split('*')
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
      .join('.*')}$`,
  );
  return re.test(value);
}

/**
 * The JWT/OIDC auth plugin (`vault-plugin-auth-jwt`), mounted as type `oidc` or `jwt`. For the
 * browser flow Vault is the relying party: it builds the IdP URL, keeps the state, redeems the
 * code with PKCE (openid-client) and verifies the id_token against the provider's JWKS (jose).
 */
export class JwtBackend implements Backend {
  private config?: JwtConfig;
  private readonly roles = new Map<string, JwtRole>();
  private readonly states = new Map<string, PendingState>();
  private provider?: Promise<oidc.Configuration>;
  private jwks?: ReturnType<typeof createRemoteJWKSet>;
  private jwksIssuer?: string;

  constructor(
    private readonly vault: VaultEmulator,
    readonly type: 'oidc' | 'jwt',
  ) {}

  isUnauthenticated(path: string): boolean {
    return UNAUTHENTICATED.has(path);
  }

  configure(config: Partial<JwtConfig>): void {
    this.config = {
      oidc_discovery_url: '',
      oidc_client_id: '',
      oidc_client_secret: '',
      oidc_response_mode: '',
      jwks_url: '',
      bound_issuer: '',
      default_role: '',
      ...this.config,
      ...config,
    };
    this.provider = undefined;
    this.jwks = undefined;
  }

  /** Writes a role as `POST auth/<mount>/role/:name` does; returns Vault's error text on refusal. */
  writeRole(
    name: string,
    fields: Record<string, unknown>,
    mfa?: JwtRole['mfa'],
  ): string | undefined {
    const reply = this.roleWrite(name.toLowerCase(), fields);
    if (reply.kind === 'error') return reply.errors[0];
    if (mfa) this.roles.get(name.toLowerCase())!.mfa = mfa;
    return undefined;
  }

  async handle(req: BackendRequest): Promise<BackendReply> {
    const { path, operation } = req;
    if (path === 'config') {
      if (operation === 'update') {
        this.configure(req.data as Partial<JwtConfig>);
        return { kind: 'none' };
      }
      if (operation === 'read') {
        if (!this.config) return { kind: 'notFound' };
        const { oidc_client_secret: _secret, ...visible } = this.config;
        return { kind: 'ok', data: visible };
      }
      return failReply(405, 'unsupported operation');
    }
    if (path === 'role/' || path === 'role') {
      if (operation !== 'list') return failReply(405, 'unsupported operation');
      return listReply([...this.roles.keys()]);
    }
    const role = /^role\/([^/]+)$/.exec(path);
    if (role) {
      const name = role[1]!.toLowerCase();
      if (operation === 'update' || operation === 'create') return this.roleWrite(name, req.data);
      if (operation === 'delete') {
        this.roles.delete(name);
        return { kind: 'none' };
      }
      if (operation === 'read') {
        const found = this.roles.get(name);
        if (!found) return { kind: 'notFound' };
        const { mfa: _mfa, ...data } = found;
        return { kind: 'ok', data };
      }
      return failReply(405, 'unsupported operation');
    }
    if (path === 'oidc/auth_url' && operation === 'update') return this.authUrl(req.data);
    if (path === 'oidc/callback') {
      if (operation === 'read') return this.callback(req);
      if (operation === 'update') return this.callbackPost(req);
    }
    if (path === 'login' && operation === 'update') return this.jwtLogin(req);
    return failReply(404, 'unsupported path');
  }

  // ---- configuration ------------------------------------------------------------------------

  private roleWrite(name: string, data: Record<string, unknown>): BackendReply {
    const existing = this.roles.get(name);
    const duration = (field: string, fallback: number): number => {
      if (data[field] === undefined) return fallback;
      return parseDurationSecond(data[field]);
    };
    let role: JwtRole;
    try {
      role = {
        role_type: (data.role_type as 'oidc' | 'jwt' | undefined) ?? existing?.role_type ?? 'oidc',
        user_claim: String(data.user_claim ?? existing?.user_claim ?? ''),
        groups_claim: String(data.groups_claim ?? existing?.groups_claim ?? ''),
        bound_audiences:
          data.bound_audiences !== undefined
            ? list(data.bound_audiences)
            : (existing?.bound_audiences ?? []),
        bound_subject: String(data.bound_subject ?? existing?.bound_subject ?? ''),
        bound_claims:
          (data.bound_claims as JwtRole['bound_claims']) ?? existing?.bound_claims ?? {},
        bound_claims_type:
          (data.bound_claims_type as 'string' | 'glob') ?? existing?.bound_claims_type ?? 'string',
        claim_mappings:
          (data.claim_mappings as Record<string, string>) ?? existing?.claim_mappings ?? {},
        oidc_scopes:
          data.oidc_scopes !== undefined ? list(data.oidc_scopes) : (existing?.oidc_scopes ?? []),
        allowed_redirect_uris:
          data.allowed_redirect_uris !== undefined
            ? list(data.allowed_redirect_uris)
            : (existing?.allowed_redirect_uris ?? []),
        max_age: duration('max_age', existing?.max_age ?? 0),
        expiration_leeway: duration('expiration_leeway', existing?.expiration_leeway ?? 150),
        not_before_leeway: duration('not_before_leeway', existing?.not_before_leeway ?? 150),
        clock_skew_leeway: duration('clock_skew_leeway', existing?.clock_skew_leeway ?? 60),
        token_ttl: duration('token_ttl', existing?.token_ttl ?? 0),
        token_max_ttl: duration('token_max_ttl', existing?.token_max_ttl ?? 0),
        token_period: duration('token_period', existing?.token_period ?? 0),
        token_explicit_max_ttl: duration(
          'token_explicit_max_ttl',
          existing?.token_explicit_max_ttl ?? 0,
        ),
        token_policies:
          data.token_policies !== undefined || data.policies !== undefined
            ? list(data.token_policies ?? data.policies)
            : (existing?.token_policies ?? []),
        token_no_default_policy: Boolean(
          data.token_no_default_policy ?? existing?.token_no_default_policy ?? false,
        ),
        token_num_uses: Number(data.token_num_uses ?? existing?.token_num_uses ?? 0),
        mfa: existing?.mfa,
      };
    } catch (error) {
      if (error instanceof DurationError) return errorReply(400, error.message);
      throw error;
    }
    if (role.role_type !== 'oidc' && role.role_type !== 'jwt')
      return errorReply(400, `invalid 'role_type': ${String(role.role_type)}`);
    if (!role.user_claim) return errorReply(400, 'a user claim must be defined on the role');
    if (role.role_type === 'oidc' && role.allowed_redirect_uris.length === 0) {
      return errorReply(
        400,
        "'allowed_redirect_uris' must be set if 'role_type' is 'oidc' or unspecified.",
      );
    }
    if (
      role.role_type === 'jwt' &&
      role.bound_audiences.length === 0 &&
      !role.bound_subject &&
      Object.keys(role.bound_claims).length === 0
    ) {
      return errorReply(
        400,
        'must have at least one bound constraint when creating/updating a role',
      );
    }
    this.roles.set(name, role);
    return { kind: 'none' };
  }

  private isOidcConfigured(): boolean {
    const c = this.config;
    return Boolean(c && c.oidc_discovery_url && c.oidc_client_id && c.oidc_client_secret);
  }

  private providerConfig(): Promise<oidc.Configuration> {
    const c = this.config!;
    this.provider ??= oidc
      .discovery(
        new URL(c.oidc_discovery_url),
        c.oidc_client_id,
        c.oidc_client_secret,
        oidc.ClientSecretBasic(c.oidc_client_secret),
        {
          execute: [oidc.allowInsecureRequests],
        },
      )
      .catch((error: unknown) => {
        this.provider = undefined;
        throw error;
      });
    return this.provider;
  }

  private async keySet(): Promise<{ jwks: ReturnType<typeof createRemoteJWKSet>; issuer: string }> {
    const c = this.config!;
    if (!this.jwks) {
      if (c.jwks_url) {
        this.jwks = createRemoteJWKSet(new URL(c.jwks_url));
        this.jwksIssuer = c.bound_issuer;
      } else {
        const meta = (await (
          await fetch(`${c.oidc_discovery_url.replace(/\/$/, '')}/.well-known/openid-configuration`)
        ).json()) as {
          issuer: string;
          jwks_uri: string;
        };
        this.jwks = createRemoteJWKSet(new URL(meta.jwks_uri));
        this.jwksIssuer = c.bound_issuer || meta.issuer;
      }
    }
    return { jwks: this.jwks, issuer: this.jwksIssuer ?? '' };
  }

  // ---- OIDC browser flow -------------------------------------------------------------------

  private async authUrl(data: Record<string, unknown>): Promise<BackendReply> {
    if (!this.config) return errorReply(400, 'could not load configuration');
    if (!this.isOidcConfigured())
      return errorReply(400, 'OIDC login is not configured for this mount');
    const roleName = String(data.role ?? '').toLowerCase() || this.config.default_role;
    if (!roleName) return errorReply(400, 'missing role');
    const redirectUri = typeof data.redirect_uri === 'string' ? data.redirect_uri : '';
    if (!redirectUri) return errorReply(400, 'missing redirect_uri');
    const role = this.roles.get(roleName);
    if (!role) return errorReply(400, `role "${roleName}" could not be found`);
    const empty: BackendReply = { kind: 'ok', data: { auth_url: '' } };
    // An unauthenticated endpoint, so Vault says "no" without saying why: an empty auth_url.
    if (!redirectAllowed(redirectUri, role.allowed_redirect_uris)) return empty;
    let provider: oidc.Configuration;
    try {
      provider = await this.providerConfig();
    } catch {
      return empty;
    }
    const state = `st_${base62(20)}`;
    const nonce = `n_${base62(20)}`;
    const verifier = oidc.randomPKCECodeVerifier();
    const params: Record<string, string> = {
      redirect_uri: redirectUri,
      scope: ['openid', ...role.oidc_scopes.filter((s) => s !== 'openid')].join(' '),
      state,
      nonce,
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    };
    if (this.config.oidc_response_mode === 'form_post') params.response_mode = 'form_post';
    if (role.max_age > 0) params.max_age = String(role.max_age);
    this.states.set(state, {
      role: roleName,
      nonce,
      verifier,
      redirectUri,
      clientNonce: typeof data.client_nonce === 'string' ? data.client_nonce : '',
      createdAt: this.vault.now(),
    });
    return { kind: 'ok', data: { auth_url: oidc.buildAuthorizationUrl(provider, params).href } };
  }

  /** Finds a live state; when `consume`, it is deleted whatever happens next (single use). */
  private takeState(state: string, consume: boolean): PendingState | undefined {
    const pending = this.states.get(state);
    if (consume) this.states.delete(state);
    if (!pending) return undefined;
    if (pending.createdAt + STATE_TTL_MS <= this.vault.now()) {
      this.states.delete(state);
      return undefined;
    }
    return pending;
  }

  private async callbackPost(req: BackendRequest): Promise<BackendReply> {
    if (this.config?.oidc_response_mode !== 'form_post')
      return { kind: 'raw', status: 405, body: '' };
    const pending = this.takeState(String(req.data.state ?? ''), false);
    if (!pending) {
      return {
        kind: 'raw',
        status: 400,
        body: errorPage('Expired or missing OAuth state.'),
        contentType: 'text/html; charset=utf-8',
      };
    }
    pending.code = typeof req.data.code === 'string' ? req.data.code : undefined;
    pending.idToken = typeof req.data.id_token === 'string' ? req.data.id_token : undefined;
    return {
      kind: 'raw',
      status: 200,
      body: FORM_POST_HTML,
      contentType: 'text/html; charset=utf-8',
    };
  }

  private async callback(req: BackendRequest): Promise<BackendReply> {
    if (!this.config) return errorReply(400, 'Vault login failed. Could not load configuration');
    const { data } = req;
    const state = typeof data.state === 'string' ? data.state : '';
    const pending = this.takeState(state, true);
    if (!pending) return errorReply(400, 'Vault login failed. Expired or missing OAuth state.');
    if (pending.clientNonce && data.client_nonce !== pending.clientNonce)
      return errorReply(400, 'invalid client_nonce');
    const role = this.roles.get(pending.role);
    if (!role) return errorReply(400, 'Vault login failed. Role could not be found');
    let code = typeof data.code === 'string' ? data.code : '';
    if (code === 'no_code') code = pending.code ?? '';
    const idTokenParam =
      (typeof data.id_token === 'string' ? data.id_token : '') || (pending.idToken ?? '');
    if (!code && !idTokenParam)
      return errorReply(400, 'Vault login failed. No code or id_token received.');

    let claims: JWTPayload;
    if (!code) {
      try {
        claims = await this.verifyIdToken(idTokenParam, role, pending.nonce);
      } catch (error) {
        return errorReply(400, `Token verification failed. ${(error as Error).message}`);
      }
    } else {
      try {
        const provider = await this.providerConfig();
        const current = new URL(pending.redirectUri);
        current.searchParams.set('code', code);
        current.searchParams.set('state', state);
        // Vault's CLI passes only code and state; RFC 9207's iss is known to the relying party.
        current.searchParams.set('iss', provider.serverMetadata().issuer);
        const tokens = await oidc.authorizationCodeGrant(provider, current, {
          pkceCodeVerifier: pending.verifier,
          expectedState: state,
          expectedNonce: pending.nonce,
        });
        if (!tokens.id_token) throw new Error('no id_token found in response');
        claims = await this.verifyIdToken(tokens.id_token, role, pending.nonce);
        try {
          const info = await oidc.fetchUserInfo(provider, tokens.access_token, String(claims.sub));
          claims = { ...info, ...claims };
        } catch {
          // Vault logs a failed UserInfo call and goes on with the id_token's claims.
        }
      } catch (error) {
        return errorReply(
          400,
          `Vault login failed. Error exchanging oidc code: "${(error as Error).message}".`,
        );
      }
    }
    return this.loginFromClaims(pending.role, role, claims);
  }

  private async verifyIdToken(idToken: string, role: JwtRole, nonce: string): Promise<JWTPayload> {
    const { jwks, issuer } = await this.keySet();
    await compactVerify(idToken, jwks);
    const claims = decodeJwt(idToken);
    if (issuer && claims.iss !== issuer) throw new Error('invalid issuer (iss) claim');
    const aud = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
    const audiences =
      role.bound_audiences.length > 0 ? role.bound_audiences : [this.config!.oidc_client_id];
    if (!aud.some((a) => audiences.includes(a))) {
      throw new Error(
        'invalid audience (aud) claim: audience claim does not match any expected audience',
      );
    }
    const now = Math.floor(this.vault.now() / 1000);
    if (typeof claims.exp === 'number' && now > claims.exp + role.clock_skew_leeway) {
      throw new Error('invalid expiration time (exp) claim: token is expired');
    }
    if (claims.nonce !== nonce) throw new Error('invalid id_token nonce');
    return claims;
  }

  // ---- JWT login ---------------------------------------------------------------------------

  private async jwtLogin(req: BackendRequest): Promise<BackendReply> {
    if (!this.config) return errorReply(400, 'could not load configuration');
    const roleName = String(req.data.role ?? '').toLowerCase() || this.config.default_role;
    if (!roleName) return errorReply(400, 'missing role');
    const role = this.roles.get(roleName);
    if (!role) return errorReply(400, `role "${roleName}" could not be found`);
    if (role.role_type === 'oidc')
      return errorReply(400, 'role with oidc role_type is not allowed');
    const token = typeof req.data.jwt === 'string' ? req.data.jwt : '';
    if (!token) return errorReply(400, 'missing token');
    let claims: JWTPayload;
    try {
      const { jwks, issuer } = await this.keySet();
      try {
        await compactVerify(token, jwks);
      } catch (error) {
        throw new Error(`error verifying token signature: ${(error as Error).message}`, {
          cause: error,
        });
      }
      claims = decodeJwt(token);
      if (issuer && claims.iss !== issuer) throw new Error('invalid issuer (iss) claim');
      const aud = Array.isArray(claims.aud) ? claims.aud : claims.aud ? [claims.aud] : [];
      if (role.bound_audiences.length === 0 && aud.length > 0) {
        return errorReply(400, 'audience claim found in JWT but no audiences bound to the role');
      }
      if (role.bound_audiences.length > 0 && !aud.some((a) => role.bound_audiences.includes(a))) {
        throw new Error(
          'invalid audience (aud) claim: audience claim does not match any expected audience',
        );
      }
      const now = Math.floor(this.vault.now() / 1000);
      if (claims.iat === undefined && claims.nbf === undefined && claims.exp === undefined) {
        throw new Error(
          'no issued at (iat), not before (nbf), or expiration time (exp) claims in token',
        );
      }
      const leeway = role.clock_skew_leeway;
      if (typeof claims.exp === 'number' && now > claims.exp + leeway + role.expiration_leeway) {
        throw new Error('invalid expiration time (exp) claim: token is expired');
      }
      if (typeof claims.nbf === 'number' && now < claims.nbf - leeway - role.not_before_leeway) {
        throw new Error('invalid not before (nbf) claim: token not yet valid');
      }
    } catch (error) {
      return errorReply(400, `error validating token: ${(error as Error).message}`);
    }
    return this.loginFromClaims(roleName, role, claims);
  }

  // ---- shared: claims → login --------------------------------------------------------------

  private loginFromClaims(roleName: string, role: JwtRole, claims: JWTPayload): BackendReply {
    if (role.bound_subject && claims.sub !== role.bound_subject) {
      return failReply(500, 'sub claim does not match bound subject');
    }
    const user = claims[role.user_claim];
    if (user === undefined) return errorReply(400, `claim "${role.user_claim}" not found in token`);
    if (typeof user !== 'string' && typeof user !== 'number' && typeof user !== 'boolean') {
      return errorReply(400, `claim "${role.user_claim}" could not be converted to string`);
    }
    let groups: string[] = [];
    if (role.groups_claim) {
      const raw = claims[role.groups_claim];
      if (raw === undefined)
        return errorReply(
          400,
          `failed to fetch groups: "${role.groups_claim}" claim not found in token`,
        );
      groups = (Array.isArray(raw) ? raw : [raw]).map(String);
    }
    for (const [claim, expected] of Object.entries(role.bound_claims)) {
      const actual = claims[claim];
      if (actual === undefined)
        return errorReply(400, `error validating claims: claim "${claim}" is missing`);
      const values = (Array.isArray(expected) ? expected : [expected]).map(String);
      const have = (Array.isArray(actual) ? actual : [actual]).map(String);
      const match = have.some((h) =>
        values.some((v) => (role.bound_claims_type === 'glob' ? globMatch(v, h) : v === h)),
      );
      if (!match) {
        return errorReply(
          400,
          `error validating claims: claim "${claim}" does not match any associated bound claim values`,
        );
      }
    }
    const metadata: Record<string, string> = {};
    for (const [source, target] of Object.entries(role.claim_mappings)) {
      if (claims[source] !== undefined) metadata[target] = String(claims[source]);
    }
    metadata.role = roleName;
    const auth: LoginAuth = {
      policies: role.token_policies,
      noDefaultPolicy: role.token_no_default_policy,
      metadata,
      displayName: String(user),
      aliasName: String(user),
      groupAliases: groups,
      ttl: role.token_ttl,
      maxTtl: role.token_max_ttl,
      period: role.token_period,
      explicitMaxTtl: role.token_explicit_max_ttl,
      numUses: role.token_num_uses,
      // Renewal re-reads the role and applies its current TTLs (`pathLoginRenew`).
      ttlSource: () => {
        const current = this.roles.get(roleName);
        if (!current) return { error: `role ${roleName} does not exist during renewal` };
        return {
          ttl: current.token_ttl,
          maxTtl: current.token_max_ttl,
          period: current.token_period,
        };
      },
      mfa: role.mfa,
    };
    return { kind: 'login', auth };
  }
}

function errorPage(detail: string): string {
  return `<!DOCTYPE html><html><head><title>HashiCorp Vault</title></head><body><h1>Login error</h1><p>${detail}</p></body></html>`;
}

/** What Vault answers a form_post callback with: a page for the web UI that posts the state on. */
const FORM_POST_HTML = `<!DOCTYPE html><html><head><title>Vault Authentication</title></head><body>
<script>window.opener && window.opener.postMessage({source: 'oidc-callback', code: 'no_code'}, '*');</script>
<p>Authentication complete. You may close this window.</p></body></html>`;

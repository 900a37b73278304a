/**
 * Conformance: every fixture and every trap of Vault's HTTP contract (docs/test-stack.md), sent
 * to the emulator in every version mode. Status codes, the key sets of the body and of `data`,
 * and error strings are compared with what the reference documents from Vault's source.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../fake-clock.js';
import { DEV_ROLE_ARN, startStack } from '../stack.js';
import type { Stack } from '../stack.js';
import { atLeast } from './versions.js';
import { VAULT_VERSIONS } from './index.js';
import { startOidcLogin } from './oidc-flow.js';
import { ENVELOPE_KEYS, vaultRequest } from './vault-http.js';

const AUTH = [
  'client_token',
  'accessor',
  'policies',
  'token_policies',
  'identity_policies',
  'metadata',
  'lease_duration',
  'renewable',
  'entity_id',
  'token_type',
  'orphan',
  'mfa_requirement',
  'num_uses',
];
const AUTH_WITHOUT_IDENTITY = AUTH.filter((k) => k !== 'identity_policies');
const LOOKUP_SELF = [
  'accessor',
  'creation_time',
  'creation_ttl',
  'display_name',
  'entity_id',
  'expire_time',
  'explicit_max_ttl',
  'external_namespace_policies',
  'id',
  'identity_policies',
  'issue_time',
  'meta',
  'num_uses',
  'orphan',
  'path',
  'policies',
  'renewable',
  'ttl',
  'type',
];
const MOUNT_INFO = [
  'accessor',
  'config',
  'description',
  'external_entropy_access',
  'local',
  'options',
  'plugin_version',
  'running_plugin_version',
  'running_sha256',
  'seal_wrap',
  'type',
  'uuid',
];
const PERMISSION_DENIED = '1 error occurred:\n\t* permission denied\n\n';
const SECOND_ACCOUNT_ARN = 'arn:aws:iam::210987654321:role/DevReadOnly';
const REDIRECT = 'http://localhost:8250/oidc/callback';
const ALICE = { email: 'alice@example.com', password: 'alice-password' };

function roleKeys(version: string): string[] {
  const keys = [
    'credential_type',
    'default_sts_ttl',
    'iam_groups',
    'iam_tags',
    'max_sts_ttl',
    'permissions_boundary_arn',
    'policy_arns',
    'policy_document',
    'role_arns',
    'user_path',
  ];
  if (atLeast(version, '1.16.0')) keys.push('mfa_serial_number');
  if (atLeast(version, '1.17.2')) keys.push('external_id', 'session_tags');
  return keys.sort();
}

function healthKeys(version: string, sealed: boolean): string[] {
  const keys = [
    'initialized',
    'sealed',
    'standby',
    'performance_standby',
    'replication_performance_mode',
    'replication_dr_mode',
    'server_time_utc',
    'version',
    'enterprise',
  ];
  if (!sealed) keys.push('cluster_name', 'cluster_id');
  if (atLeast(version, '1.17.0'))
    keys.push('echo_duration_ms', 'clock_skew_ms', 'replication_primary_canary_age_ms');
  return keys;
}

const sorted = (o: unknown) => Object.keys(o as object).sort();

describe.each(VAULT_VERSIONS)('Vault %s', (version) => {
  let stack: Stack;
  let clock: FakeClock;
  /**
   * What Vault says is left of STS credentials of `seconds`: STS prints the expiry in whole
   * seconds (the start of the second it was issued in, plus the duration) and Vault counts whole
   * seconds from now, so a second is lost unless the clock stands exactly on a second. The fake
   * clock starts at the real time's milliseconds: this is 3599 almost always, 3600 one run in
   * a thousand.
   */
  const secondsLeft = (seconds: number) => seconds - (clock.now() % 1000 === 0 ? 0 : 1);
  let url: string;
  let root: string;
  const at116 = atLeast(version, '1.16.0');
  const is1130 = version === '1.13.0';

  beforeAll(async () => {
    clock = new FakeClock();
    stack = await startStack({ version, clock });
    url = stack.vault.url;
    root = stack.vault.rootToken;
    stack.vault.mapGroup('engineering', ['team-platform']);
    stack.awsEngine.writeRole('multi', {
      credential_type: 'assumed_role',
      role_arns: [DEV_ROLE_ARN, SECOND_ACCOUNT_ARN],
    });
    stack.aws.addRole(SECOND_ACCOUNT_ARN);
    stack.awsEngine.writeRole('deploy-fed', {
      credential_type: 'federation_token',
      policy_document: '{"Version":"2012-10-17","Statement":[]}',
    });
    stack.awsEngine.writeRole('legacy-user', {
      credential_type: 'iam_user',
      policy_arns: ['arn:aws:iam::aws:policy/ReadOnlyAccess'],
    });
  });
  afterAll(async () => {
    await stack.stop();
  });

  async function oidcToken(): Promise<Record<string, unknown>> {
    const { callback } = await startOidcLogin(url, { user: ALICE, redirectUri: REDIRECT });
    const res = await callback();
    expect(res.status).toBe(200);
    return res.json!;
  }

  it('auth_url: the envelope with data.auth_url; an empty auth_url (200) for a redirect URI not allowed', async () => {
    const ok = await vaultRequest(url, 'POST', 'auth/oidc/oidc/auth_url', {
      body: { role: 'dev', redirect_uri: REDIRECT },
    });
    expect(ok.status).toBe(200);
    expect(Object.keys(ok.json!)).toEqual(ENVELOPE_KEYS);
    expect(sorted(ok.json!.data)).toEqual(['auth_url']);
    const authUrl = new URL(String((ok.json!.data as Record<string, unknown>).auth_url));
    expect(authUrl.searchParams.get('code_challenge_method')).toBe('S256');
    expect(authUrl.searchParams.get('state')).toMatch(/^st_/);
    expect(authUrl.searchParams.get('nonce')).toMatch(/^n_/);
    expect(authUrl.searchParams.get('redirect_uri')).toBe(REDIRECT);
    for (const bad of [
      'http://127.0.0.1:8250/oidc/callback',
      'http://localhost:8250/callback',
      'https://localhost:8250/oidc/callback',
    ]) {
      const res = await vaultRequest(url, 'POST', 'auth/oidc/oidc/auth_url', {
        body: { role: 'dev', redirect_uri: bad },
      });
      expect(res.status).toBe(200);
      expect(res.json!.data).toEqual({ auth_url: '' });
    }
    const anyPort = await vaultRequest(url, 'POST', 'auth/oidc/oidc/auth_url', {
      body: { role: 'dev', redirect_uri: 'http://localhost:54321/oidc/callback' },
    });
    expect((anyPort.json!.data as Record<string, string>).auth_url).not.toBe('');
    const badRole = await vaultRequest(url, 'POST', 'auth/oidc/oidc/auth_url', {
      body: { role: 'nope', redirect_uri: REDIRECT },
    });
    expect([badRole.status, badRole.json]).toEqual([
      400,
      { errors: ['role "nope" could not be found'] },
    ]);
    const noRedirect = await vaultRequest(url, 'POST', 'auth/oidc/oidc/auth_url', {
      body: { role: 'dev' },
    });
    expect([noRedirect.status, noRedirect.json]).toEqual([
      400,
      { errors: ['missing redirect_uri'] },
    ]);
    const noMount = await vaultRequest(url, 'POST', 'auth/nope/oidc/auth_url', {
      body: { role: 'dev', redirect_uri: REDIRECT },
    });
    expect([noMount.status, noMount.json]).toEqual([403, { errors: ['permission denied'] }]);
    const jwtMount = await vaultRequest(url, 'POST', 'auth/jwt/oidc/auth_url', {
      body: { role: 'dev', redirect_uri: REDIRECT },
    });
    expect([jwtMount.status, jwtMount.json]).toEqual([
      400,
      { errors: ['OIDC login is not configured for this mount'] },
    ]);
  });

  it('OIDC callback: a login envelope with auth, null data, empty mount_type; state is single-use', async () => {
    const login = await oidcToken();
    expect(Object.keys(login)).toEqual(ENVELOPE_KEYS);
    expect(login.data).toBeNull();
    expect(login.mount_type).toBe('');
    expect(login.lease_id).toBe('');
    const auth = login.auth as Record<string, unknown>;
    expect(Object.keys(auth)).toEqual(AUTH);
    expect(auth.policies).toEqual(['aws-dev-readonly', 'default', 'team-platform']);
    expect(auth.token_policies).toEqual(['aws-dev-readonly', 'default']);
    expect(auth.identity_policies).toEqual(['team-platform']);
    expect(auth.metadata).toEqual({ role: 'dev' });
    const stale = await vaultRequest(
      url,
      'GET',
      'auth/oidc/oidc/callback?state=st_AAAAAAAAAAAAAAAAAAAA&code=x',
    );
    expect([stale.status, stale.json]).toEqual([
      400,
      { errors: ['Vault login failed. Expired or missing OAuth state.'] },
    ]);
  });

  it('JWT login: the same envelope, no identity_policies when there are none', async () => {
    const jwt = await stack.idp.signJwt(
      { sub: 'ci', email: 'ci@example.com', groups: ['engineering'] },
      { audience: 'vault-aws-tray', issuedAt: Math.floor(clock.now() / 1000) },
    );
    stack.vault.mapGroup('engineering', []);
    const res = await vaultRequest(url, 'POST', 'auth/jwt/login', { body: { role: 'dev', jwt } });
    stack.vault.mapGroup('engineering', ['team-platform']);
    expect(res.status).toBe(200);
    expect(Object.keys(res.json!)).toEqual(ENVELOPE_KEYS);
    expect(Object.keys(res.json!.auth as object)).toEqual(AUTH_WITHOUT_IDENTITY);
    const oidcRole = await vaultRequest(url, 'POST', 'auth/oidc/login', {
      body: { role: 'dev', jwt },
    });
    expect(oidcRole.json).toEqual({ errors: ['role with oidc role_type is not allowed'] });
    const empty = await vaultRequest(url, 'POST', 'auth/jwt/login', { body: { role: 'dev' } });
    expect(empty.json).toEqual({ errors: ['missing token'] });
  });

  it('lookup-self and renew-self capped at max TTL (the fixtures)', async () => {
    const token = String(((await oidcToken()).auth as Record<string, unknown>).client_token);
    const lookup = await vaultRequest(url, 'GET', 'auth/token/lookup-self', { token });
    expect(lookup.status).toBe(200);
    expect(lookup.json!.mount_type).toBe('token');
    expect(sorted(lookup.json!.data)).toEqual(LOOKUP_SELF);
    const data = lookup.json!.data as Record<string, unknown>;
    expect(data).toMatchObject({
      path: 'auth/oidc/oidc/callback',
      policies: ['aws-dev-readonly', 'default'],
      identity_policies: ['team-platform'],
      display_name: 'oidc-alice@example.com',
    });
    expect(String(data.expire_time)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

    // Renew once on the way (the role's token_ttl is 1h), then ask for 8h at 4h47m55s after issue.
    clock.advance(50 * 60 * 1000);
    const early = await vaultRequest(url, 'POST', 'auth/token/renew-self', {
      token,
      body: { increment: '5h' },
    });
    expect([early.status, early.json!.warnings]).toEqual([200, null]);
    clock.advance((3 * 3600 + 57 * 60 + 55) * 1000);
    const renewed = await vaultRequest(url, 'POST', 'auth/token/renew-self', {
      token,
      body: { increment: '8h' },
    });
    expect(renewed.status).toBe(200);
    expect(Object.keys(renewed.json!.auth as object)).toEqual(AUTH);
    expect(renewed.json!.auth).toMatchObject({
      client_token: token,
      lease_duration: 11525,
      renewable: true,
    });
    expect(renewed.json!.warnings).toEqual([
      'TTL of "8h" exceeded the effective max_ttl of "3h12m5s"; TTL value is capped accordingly',
    ]);
    expect(renewed.json!.mount_type).toBe('token');
  });

  it('aws/creds for an assumed_role: the data keys of this version, lease fields, a usable ARN', async () => {
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'] });
    const res = await vaultRequest(url, 'GET', 'aws/creds/dev-readonly', { token });
    expect(res.status).toBe(200);
    expect(Object.keys(res.json!)).toEqual(ENVELOPE_KEYS);
    const expected = ['access_key', 'arn', 'secret_key', 'security_token', 'ttl'];
    if (at116) expected.push('session_token');
    expect(sorted(res.json!.data)).toEqual(expected.sort());
    const data = res.json!.data as Record<string, unknown>;
    expect(data.ttl).toBe(secondsLeft(3600));
    expect(res.json!.mount_type).toBe('aws');
    expect(res.json!.renewable).toBe(false);
    if (is1130) {
      expect([res.json!.lease_id, res.json!.lease_duration]).toEqual(['', 0]);
    } else {
      expect(res.json!.lease_id).toMatch(/^aws\/creds\/dev-readonly\/[A-Za-z0-9]{24}$/);
      expect(res.json!.lease_duration).toBe(secondsLeft(3600));
    }
    expect(stack.aws.describeKey(String(data.access_key))?.arn).toBe(data.arn);
  });

  it('aws/sts for a federation_token and the iam_user and session_token shapes', async () => {
    const fed = await vaultRequest(url, 'POST', 'aws/sts/deploy-fed', {
      token: root,
      body: { ttl: '30m' },
    });
    expect(fed.status).toBe(200);
    expect(sorted(fed.json!.data)).toEqual(
      (at116
        ? ['access_key', 'secret_key', 'security_token', 'session_token', 'ttl']
        : ['access_key', 'secret_key', 'security_token', 'ttl']
      ).sort(),
    );
    expect((fed.json!.data as Record<string, unknown>).ttl).toBe(secondsLeft(1800));
    if (!is1130) expect(fed.json!.lease_id).toMatch(/^aws\/sts\/deploy-fed\//);

    const user = await vaultRequest(url, 'GET', 'aws/creds/legacy-user', { token: root });
    expect(user.status).toBe(200);
    expect(user.json!.renewable).toBe(true);
    expect(user.json!.data).toEqual({
      access_key: expect.stringMatching(/^AKIA/),
      secret_key: expect.any(String),
      [at116 ? 'session_token' : 'security_token']: null,
    });

    const sessionRole = stack.awsEngine.writeRole('session', { credential_type: 'session_token' });
    if (at116) {
      expect(sessionRole).toBeUndefined();
      const session = await vaultRequest(url, 'GET', 'aws/creds/session', { token: root });
      expect(sorted(session.json!.data)).toEqual([
        'access_key',
        'secret_key',
        'session_token',
        'ttl',
      ]);
    } else {
      expect(sessionRole).toBe('unrecognized credential type: session_token');
    }
  });

  it('STS TTL: the request beats the default, is capped silently at max_sts_ttl, and AWS refuses < 900 s', async () => {
    const read = (ttl: string) =>
      vaultRequest(url, 'GET', `aws/creds/dev-readonly?ttl=${ttl}`, { token: root });
    const long = await read('2h');
    expect((long.json!.data as Record<string, unknown>).ttl).toBe(secondsLeft(7200));
    const capped = await read('24h');
    expect((capped.json!.data as Record<string, unknown>).ttl).toBe(secondsLeft(43200));
    expect(capped.json!.warnings).toBeNull();
    const short = await read('600');
    expect(short.status).toBe(400);
    expect((short.json!.errors as string[])[0]).toMatch(
      /^Error assuming role: ValidationError: 1 validation error detected: Value '600' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to 900\n\tstatus code: 400, request id: [\w-]+$/,
    );
    const extra = await read('1h&bogus=1');
    expect(extra.json!.warnings).toEqual([
      'Endpoint ignored these unrecognized parameters: [bogus]',
    ]);
  });

  it('400s for a missing role and for several ARNs without role_arn; 404s for reads that find nothing', async () => {
    const nope = await vaultRequest(url, 'GET', 'aws/creds/nope', { token: root });
    expect([nope.status, nope.json]).toEqual([400, { errors: ['Role "nope" not found'] }]);
    const multi = await vaultRequest(url, 'GET', 'aws/creds/multi', { token: root });
    expect([multi.status, multi.json]).toEqual([
      400,
      { errors: ['did not supply a role_arn parameter and unable to determine one'] },
    ]);
    const chosen = await vaultRequest(url, 'POST', 'aws/creds/multi', {
      token: root,
      body: { role_arn: SECOND_ACCOUNT_ARN },
    });
    expect(String((chosen.json!.data as Record<string, unknown>).arn)).toMatch(
      /^arn:aws:sts::210987654321:assumed-role\/DevReadOnly\//,
    );
    const notAllowed = await vaultRequest(url, 'POST', 'aws/creds/multi', {
      token: root,
      body: { role_arn: 'arn:aws:iam::1:role/X' },
    });
    expect(notAllowed.json).toEqual({
      errors: ['role_arn "arn:aws:iam::1:role/X" not in allowed role arns for Vault role "multi"'],
    });
    const missingRole = await vaultRequest(url, 'GET', 'aws/roles/nope', { token: root });
    expect([missingRole.status, missingRole.json]).toEqual([404, { errors: [] }]);
    const notList = await vaultRequest(url, 'GET', 'aws/roles', { token: root });
    expect(notList.status).toBe(405);
  });

  it('role_session_name: characters AWS refuses become _, the rest is kept', async () => {
    const res = await vaultRequest(url, 'POST', 'aws/sts/dev-readonly', {
      token: root,
      body: { role_session_name: 'alice laptop/1' },
    });
    expect(res.status).toBe(200);
    expect((res.json!.data as Record<string, unknown>).arn).toBe(
      'arn:aws:sts::123456789012:assumed-role/DevReadOnly/alice_laptop_1',
    );
  });

  it('LIST aws/roles (verb and ?list=true); an empty list is 404 with no errors', async () => {
    const viaQuery = await vaultRequest(url, 'GET', 'aws/roles?list=true', { token: root });
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.json!.data).toEqual({
      keys: expect.arrayContaining(['dev-readonly', 'prod-admin']),
    });
    const viaVerb = await vaultRequest(url, 'LIST', 'aws/roles', { token: root });
    expect(viaVerb.json!.data).toEqual(viaQuery.json!.data);
    const bad = await vaultRequest(url, 'GET', 'aws/roles?list=maybe', { token: root });
    expect([bad.status, bad.json]).toEqual([400, { errors: [] }]);
    const emptyEngine = await vaultRequest(url, 'GET', 'auth/jwt/role?list=true', { token: root });
    expect(emptyEngine.status).toBe(200);
    const readerOnly = stack.vault.createToken({ policies: ['aws-dev-readonly'] });
    expect(
      (await vaultRequest(url, 'GET', 'aws/roles?list=true', { token: readerOnly })).json,
    ).toEqual({ errors: [PERMISSION_DENIED] });
  });

  it('GET aws/roles/:name: credential_type is a comma-joined string; keys per version', async () => {
    const res = await vaultRequest(url, 'GET', 'aws/roles/dev-readonly', { token: root });
    expect(res.status).toBe(200);
    expect(sorted(res.json!.data)).toEqual(roleKeys(version));
    expect(res.json!.data).toMatchObject({
      credential_type: 'assumed_role',
      default_sts_ttl: 3600,
      max_sts_ttl: 43200,
      role_arns: [DEV_ROLE_ARN],
      iam_groups: null,
      policy_arns: null,
    });
  });

  it('sys/capabilities-self and sys/auth repeat data at the top level', async () => {
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'] });
    const caps = await vaultRequest(url, 'POST', 'sys/capabilities-self', {
      token,
      body: { paths: ['aws/creds/dev-readonly', 'aws/sts/dev-readonly'] },
    });
    expect(caps.json!.data).toEqual({
      'aws/creds/dev-readonly': ['read'],
      'aws/sts/dev-readonly': ['deny'],
    });
    expect(caps.json!['aws/creds/dev-readonly']).toEqual(['read']);
    expect(Object.keys(caps.json!).slice(-ENVELOPE_KEYS.length)).toEqual(ENVELOPE_KEYS);
    const auth = await vaultRequest(url, 'GET', 'sys/auth', { token: root });
    expect(sorted((auth.json!.data as Record<string, unknown>)['oidc/'])).toEqual(MOUNT_INFO);
    expect(auth.json!['oidc/']).toEqual((auth.json!.data as Record<string, unknown>)['oidc/']);
  });

  it('sys/internal/ui/mounts: keys with a trailing slash, filtered by the token', async () => {
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'] });
    const res = await vaultRequest(url, 'GET', 'sys/internal/ui/mounts', { token });
    const data = res.json!.data as {
      secret: Record<string, unknown>;
      auth: Record<string, unknown>;
    };
    expect(sorted(data.secret)).toEqual(['aws/', 'cubbyhole/', 'identity/', 'sys/']);
    expect(sorted(data.auth)).toEqual(['token/']);
    expect(sorted(data.secret['aws/'])).toEqual(MOUNT_INFO);
    expect((data.secret['aws/'] as Record<string, unknown>).type).toBe('aws');
    const anonymous = await vaultRequest(url, 'GET', 'sys/internal/ui/mounts');
    expect((anonymous.json!.data as { auth: Record<string, unknown> }).auth).toEqual({
      'oidc/': { description: 'company SSO', options: null, type: 'oidc' },
    });
  });

  it('403 bodies: policy denial, a bad token per version, no token at all', async () => {
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'] });
    const denied = await vaultRequest(url, 'GET', 'aws/creds/prod-admin', { token });
    expect([denied.status, denied.json]).toEqual([403, { errors: [PERMISSION_DENIED] }]);
    const bad = await vaultRequest(url, 'GET', 'aws/creds/dev-readonly', {
      token: 'hvs.revoked-or-made-up',
    });
    expect(bad.status).toBe(403);
    expect(bad.json).toEqual({
      errors: [
        atLeast(version, '1.17.0')
          ? '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'
          : 'permission denied',
      ],
    });
    const none = await vaultRequest(url, 'GET', 'aws/creds/dev-readonly');
    expect([none.status, none.json]).toEqual([403, { errors: ['permission denied'] }]);
  });

  it('X-Vault-Request is never checked by the server', async () => {
    const res = await fetch(`${url}/v1/sys/health`);
    expect(res.status).toBe(200);
  });

  it('sys/health: active 200, standby 429 (200 with standbyok), sealed 503 without cluster fields', async () => {
    const active = await vaultRequest(url, 'GET', 'sys/health');
    expect(active.status).toBe(200);
    expect(Object.keys(active.json!)).toEqual(healthKeys(version, false));
    expect(active.json!.version).toBe(version);
    stack.vault.setStandby('http://127.0.0.1:9');
    expect((await vaultRequest(url, 'GET', 'sys/health')).status).toBe(429);
    expect((await vaultRequest(url, 'GET', 'sys/health?standbyok=true')).status).toBe(200);
    stack.vault.setStandby(false);
    stack.vault.seal();
    const sealed = await vaultRequest(url, 'GET', 'sys/health');
    stack.vault.unseal();
    expect(sealed.status).toBe(503);
    expect(Object.keys(sealed.json!)).toEqual(healthKeys(version, true));
  });
});

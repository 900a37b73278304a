import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../fake-clock.js';
import { VaultEmulator } from './index.js';
import type { VaultEmulatorOptions } from './index.js';
import { ENVELOPE_KEYS, vaultRequest } from './vault-http.js';

const running: VaultEmulator[] = [];
async function start(options: VaultEmulatorOptions = {}) {
  const vault = await VaultEmulator.start(options);
  running.push(vault);
  return vault;
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((v) => v.stop()));
});

const PERMISSION_DENIED = '1 error occurred:\n\t* permission denied\n\n';
const INVALID_TOKEN = '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n';

describe('the envelope and the token store', () => {
  it('lookup-self answers in the standard envelope with the token fields', async () => {
    const clock = new FakeClock();
    const vault = await start({ clock });
    vault.writePolicy(
      'aws-dev-readonly',
      'path "aws/creds/dev-readonly" { capabilities = ["read"] }',
    );
    const token = vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
    const res = await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', { token });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(Object.keys(res.json!)).toEqual(ENVELOPE_KEYS);
    const data = res.json!.data as Record<string, unknown>;
    expect(Object.keys(data)).toEqual([...Object.keys(data)].sort());
    expect(data).toMatchObject({
      id: token,
      policies: ['aws-dev-readonly', 'default'],
      ttl: 3600,
      renewable: true,
      type: 'service',
      expire_time: new Date(clock.now() + 3600_000).toISOString().replace(/\.?0+Z$/, 'Z'),
    });
    expect(res.json!.mount_type).toBe('token');
    expect(res.json!.warnings).toBeNull();
  });

  it('a token expires on the emulator clock and then answers invalid token (1.17+)', async () => {
    const clock = new FakeClock();
    const vault = await start({ clock });
    const token = vault.createToken({ policies: [], ttlSeconds: 60 });
    clock.advance(59_000);
    expect((await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', { token })).status).toBe(
      200,
    );
    clock.advance(1_000);
    const res = await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', { token });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ errors: [INVALID_TOKEN] });
  });

  it('before 1.17 a bad token is a plain permission denied', async () => {
    const vault = await start({ version: '1.16.3' });
    const res = await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', {
      token: 'hvs.made-up',
    });
    expect(res.json).toEqual({ errors: ['permission denied'] });
  });

  it('renew-self is capped at the max TTL with Vault’s warning, still renewable', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 28, 9, 0, 0));
    const vault = await start({ clock });
    const token = vault.createToken({
      policies: [],
      ttlSeconds: 3600,
      explicitMaxTtlSeconds: 5400,
    });
    clock.advance(1800_000);
    const first = await vaultRequest(vault.url, 'POST', 'auth/token/renew-self', {
      token,
      body: { increment: '1h' },
    });
    expect(first.status).toBe(200);
    expect((first.json!.auth as Record<string, unknown>).lease_duration).toBe(3600);
    expect(first.json!.warnings).toBeNull();
    clock.advance(1800_000);
    const capped = await vaultRequest(vault.url, 'POST', 'auth/token/renew-self', {
      token,
      body: { increment: '1h' },
    });
    expect(capped.status).toBe(200);
    expect(capped.json!.auth).toMatchObject({
      client_token: token,
      lease_duration: 1800,
      renewable: true,
    });
    expect(capped.json!.warnings).toEqual([
      'TTL of "1h" exceeded the effective max_ttl of "30m"; TTL value is capped accordingly',
    ]);
    clock.advance(1800_000);
    expect((await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', { token })).status).toBe(
      403,
    );
  });

  it('revoke-self answers 204 and the token is gone', async () => {
    const vault = await start();
    const token = vault.createToken({ policies: [] });
    const res = await vaultRequest(vault.url, 'POST', 'auth/token/revoke-self', { token });
    expect(res.status).toBe(204);
    expect(res.text).toBe('');
    expect((await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', { token })).status).toBe(
      403,
    );
  });

  it('a token without the default policy cannot look itself up', async () => {
    const vault = await start();
    const token = vault.createToken({ policies: ['nothing'], noDefaultPolicy: true });
    const res = await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', { token });
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ errors: [PERMISSION_DENIED] });
  });

  it('auth/token/create makes a child token whose policies are a subset of the parent’s', async () => {
    const vault = await start();
    vault.writePolicy('p1', 'path "auth/token/create" { capabilities = ["update"] }');
    const created = await vaultRequest(vault.url, 'POST', 'auth/token/create', {
      token: vault.rootToken,
      body: { policies: ['p1'], ttl: '2h' },
    });
    expect(created.status).toBe(200);
    const auth = created.json!.auth as Record<string, unknown>;
    expect(auth).toMatchObject({
      policies: ['default', 'p1'],
      lease_duration: 7200,
      renewable: true,
    });
    const child = await vaultRequest(vault.url, 'POST', 'auth/token/create', {
      token: String(auth.client_token),
      body: { policies: ['root-ish'] },
    });
    expect(child.status).toBe(400);
    expect(child.json).toEqual({ errors: ['child policies must be subset of parent'] });
  });
});

describe('request handling', () => {
  it('no token on an authenticated path is a bare permission denied', async () => {
    const vault = await start();
    const res = await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self');
    expect(res.status).toBe(403);
    expect(res.json).toEqual({ errors: ['permission denied'] });
  });

  it('an unknown route: 403 without rights, 404 for a privileged token', async () => {
    const vault = await start();
    const user = vault.createToken({ policies: [] });
    expect(
      (await vaultRequest(vault.url, 'POST', 'auth/nope/oidc/auth_url', { body: {} })).json,
    ).toEqual({
      errors: ['permission denied'],
    });
    expect(
      (await vaultRequest(vault.url, 'POST', 'auth/nope/oidc/auth_url', { token: user, body: {} }))
        .json,
    ).toEqual({
      errors: [PERMISSION_DENIED],
    });
    const root = await vaultRequest(vault.url, 'POST', 'auth/nope/oidc/auth_url', {
      token: vault.rootToken,
      body: {},
    });
    expect(root.status).toBe(404);
    expect(root.json).toEqual({
      errors: ['no handler for route "auth/nope/oidc/auth_url". route entry not found.'],
    });
  });

  it('bad JSON is a 400; a form body is accepted', async () => {
    const vault = await start();
    const token = vault.createToken({ policies: [] });
    const bad = await vaultRequest(vault.url, 'POST', 'sys/capabilities-self', {
      token,
      body: '{"paths": [',
    });
    expect(bad.status).toBe(400);
    expect(bad.json).toEqual({ errors: ['error parsing JSON'] });
    const form = await vaultRequest(vault.url, 'POST', 'sys/capabilities-self', {
      token,
      body: 'paths=auth/token/lookup-self',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    });
    expect(form.status).toBe(200);
    expect((form.json!.data as Record<string, unknown>)['auth/token/lookup-self']).toEqual([
      'read',
    ]);
  });

  it('an unsupported method is a 405 with an empty error list', async () => {
    const vault = await start();
    const res = await vaultRequest(vault.url, 'TRACE', 'sys/health').catch(() => undefined);
    // fetch refuses TRACE itself; OPTIONS reaches the server the same way.
    const options = await vaultRequest(vault.url, 'OPTIONS', 'auth/token/lookup-self', {
      token: vault.rootToken,
    });
    expect(res === undefined || res.status === 405).toBe(true);
    expect(options.status).toBe(405);
    expect(options.json).toEqual({ errors: [] });
  });

  it('the Date header follows the clock plus the configured offset', async () => {
    const clock = new FakeClock(Date.UTC(2026, 0, 2, 3, 4, 5));
    const vault = await start({ clock, dateOffsetMs: 90_000 });
    const res = await vaultRequest(vault.url, 'GET', 'sys/health');
    expect(res.headers.get('date')).toBe('Fri, 02 Jan 2026 03:05:35 GMT');
    expect(res.json!.server_time_utc).toBe(Date.UTC(2026, 0, 2, 3, 5, 35) / 1000);
  });
});

describe('sys endpoints', () => {
  it('capabilities-self answers per path, repeats data at the top level and `capabilities` for one path', async () => {
    const vault = await start();
    vault.writePolicy(
      'aws',
      'path "aws/creds/dev-readonly" { capabilities = ["read"] }\npath "aws/sts/dev-readonly" { capabilities = ["update", "read"] }',
    );
    const token = vault.createToken({ policies: ['aws'] });
    const two = await vaultRequest(vault.url, 'POST', 'sys/capabilities-self', {
      token,
      body: { paths: ['aws/creds/dev-readonly', 'aws/sts/dev-readonly'] },
    });
    expect(two.json!.data).toEqual({
      'aws/creds/dev-readonly': ['read'],
      'aws/sts/dev-readonly': ['read', 'update'],
    });
    expect(two.json!['aws/sts/dev-readonly']).toEqual(['read', 'update']);
    const one = await vaultRequest(vault.url, 'POST', 'sys/capabilities-self', {
      token,
      body: { paths: 'aws/creds/prod-admin' },
    });
    expect(one.json!.data).toEqual({ 'aws/creds/prod-admin': ['deny'], capabilities: ['deny'] });
    const none = await vaultRequest(vault.url, 'POST', 'sys/capabilities-self', {
      token,
      body: {},
    });
    expect(none.status).toBe(400);
    expect(none.json).toEqual({ errors: ['paths must be supplied'] });
  });

  it('sys/internal/ui/mounts filters by token; keys end with a slash', async () => {
    const vault = await start();
    vault.writePolicy('aws', 'path "aws/creds/dev-readonly" { capabilities = ["read"] }');
    vault.mount('aws', {
      type: 'aws',
      isUnauthenticated: () => false,
      handle: async () => ({ kind: 'notFound' }),
    });
    vault.mount('aws-prod', {
      type: 'aws',
      isUnauthenticated: () => false,
      handle: async () => ({ kind: 'notFound' }),
    });
    const token = vault.createToken({ policies: ['aws'] });
    const res = await vaultRequest(vault.url, 'GET', 'sys/internal/ui/mounts', { token });
    const data = res.json!.data as {
      secret: Record<string, { type: string }>;
      auth: Record<string, unknown>;
    };
    expect(Object.keys(data.secret).sort()).toEqual(['aws/', 'cubbyhole/', 'identity/', 'sys/']);
    expect(data.secret['aws/']!.type).toBe('aws');
    expect(Object.keys(data.auth)).toEqual(['token/']);
    const anonymous = await vaultRequest(vault.url, 'GET', 'sys/internal/ui/mounts');
    expect(anonymous.json!.data).toEqual({ auth: {}, secret: {} });
    const bad = await vaultRequest(vault.url, 'GET', 'sys/internal/ui/mounts', {
      token: 'hvs.nope',
    });
    expect(bad.status).toBe(403);
  });

  it('sys/auth needs read on sys/auth and repeats data at the top level', async () => {
    const vault = await start();
    const user = vault.createToken({ policies: [] });
    expect((await vaultRequest(vault.url, 'GET', 'sys/auth', { token: user })).status).toBe(403);
    const res = await vaultRequest(vault.url, 'GET', 'sys/auth', { token: vault.rootToken });
    expect(res.status).toBe(200);
    expect((res.json!['token/'] as { type: string }).type).toBe('token');
    expect((res.json!.data as Record<string, { type: string }>)['token/']!.type).toBe('token');
  });

  it('sys/health codes: active, sealed, standby, standbyok, overrides, bad parameters', async () => {
    const vault = await start();
    expect((await vaultRequest(vault.url, 'GET', 'sys/health')).status).toBe(200);
    vault.seal();
    const sealed = await vaultRequest(vault.url, 'GET', 'sys/health');
    expect(sealed.status).toBe(503);
    expect(sealed.json).toMatchObject({ sealed: true });
    expect(sealed.json).not.toHaveProperty('cluster_name');
    expect((await vaultRequest(vault.url, 'GET', 'sys/health?sealedcode=299')).status).toBe(299);
    const other = await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', {
      token: vault.rootToken,
    });
    expect(other.status).toBe(503);
    expect(other.json).toEqual({ errors: ['Vault is sealed'] });
    vault.unseal();
    vault.setStandby('http://127.0.0.1:1');
    expect((await vaultRequest(vault.url, 'GET', 'sys/health')).status).toBe(429);
    expect((await vaultRequest(vault.url, 'GET', 'sys/health?standbyok=true')).status).toBe(200);
    const redirected = await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self?x=1', {
      token: vault.rootToken,
    });
    expect(redirected.status).toBe(307);
    expect(redirected.headers.get('location')).toBe(
      'http://127.0.0.1:1/v1/auth/token/lookup-self?x=1',
    );
    expect((await vaultRequest(vault.url, 'GET', 'sys/health?activecode=abc')).status).toBe(400);
  });
});

describe('fault injection and the request log', () => {
  it('status, malformed, reset and delay faults hit the next matching requests only', async () => {
    const vault = await start();
    vault.injectFault({
      path: 'sys/health',
      kind: 'status',
      status: 429,
      errors: ['rate limit quota exceeded'],
      times: 2,
    });
    expect((await vaultRequest(vault.url, 'GET', 'sys/health')).json).toEqual({
      errors: ['rate limit quota exceeded'],
    });
    expect((await vaultRequest(vault.url, 'GET', 'sys/health')).status).toBe(429);
    expect((await vaultRequest(vault.url, 'GET', 'sys/health')).status).toBe(200);
    vault.injectFault({ path: /lookup-self/, kind: 'malformed' });
    const malformed = await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', {
      token: vault.rootToken,
    });
    expect(malformed.status).toBe(200);
    expect(malformed.json).toBeUndefined();
    vault.injectFault({ kind: 'reset' });
    await expect(vaultRequest(vault.url, 'GET', 'sys/health')).rejects.toThrow();
    // A delayed request is overtaken by one sent after it.
    vault.injectFault({ path: 'sys/health', kind: 'delay', ms: 300 });
    const finished: string[] = [];
    const slow = vaultRequest(vault.url, 'GET', 'sys/health').then((r) =>
      finished.push(`slow ${r.status}`),
    );
    await new Promise((r) => setTimeout(r, 20));
    await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', { token: vault.rootToken }).then(
      (r) => finished.push(`fast ${r.status}`),
    );
    await slow;
    expect(finished).toEqual(['fast 200', 'slow 200']);
    expect(vault.requests.map((r) => r.path).filter((p) => p.endsWith('sys/health'))).toHaveLength(
      5,
    );
    expect(
      vault.requests.find((r) => r.path.endsWith('lookup-self') && r.status === 200),
    ).toBeDefined();
  });
});

describe('namespaces (Enterprise)', () => {
  it('keeps policies and tokens per namespace, by header or path prefix; CE ignores the header', async () => {
    const vault = await start({ namespaces: ['team-a'] });
    vault.writePolicy(
      'reader',
      'path "auth/token/lookup-self" { capabilities = ["read"] }',
      'team-a',
    );
    const nsToken = vault.createToken({
      policies: ['reader'],
      noDefaultPolicy: true,
      namespace: 'team-a',
    });
    expect(nsToken).toMatch(/^hvs\.[A-Za-z0-9]+\.[A-Za-z0-9]+$/);
    const ok = await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', {
      token: nsToken,
      namespace: 'team-a',
    });
    expect(ok.status).toBe(200);
    expect((ok.json!.data as Record<string, unknown>).namespace_path).toBe('team-a/');
    const byPath = await vaultRequest(vault.url, 'GET', 'team-a/auth/token/lookup-self', {
      token: nsToken,
    });
    expect(byPath.status).toBe(200);
    // A child-namespace token does not exist in the root namespace.
    expect(
      (await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', { token: nsToken })).status,
    ).toBe(403);
    // The root token of the parent namespace reaches into the child.
    expect(
      (
        await vaultRequest(vault.url, 'GET', 'auth/token/lookup-self', {
          token: vault.rootToken,
          namespace: 'team-a',
        })
      ).status,
    ).toBe(200);
    expect((await vaultRequest(vault.url, 'GET', 'sys/health')).json!.enterprise).toBe(true);

    const ce = await start();
    const ceToken = ce.createToken({ policies: [] });
    expect(
      (
        await vaultRequest(ce.url, 'GET', 'auth/token/lookup-self', {
          token: ceToken,
          namespace: 'whatever',
        })
      ).status,
    ).toBe(200);
  });
});

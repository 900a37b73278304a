import { mkdtempSync, copyFileSync, readFileSync } from 'node:fs';
import { rootCertificates } from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultClient } from '../../../src/core/vault/client.js';
import { trustedCas } from '../../../src/core/vault/transport.js';
import { VaultError } from '../../../src/core/vault/errors.js';
import type { VaultErrorKind } from '../../../src/core/vault/errors.js';
import { z } from '../../../src/shared/zod.js';
import { startConnectProxy } from '../../support/connect-proxy.js';
import { makeCertificates, readPem } from '../../support/tls.js';
import type { TestCertificates } from '../../support/tls.js';
import { AwsBackend, VaultEmulator } from '../../support/vault/index.js';
import type { VaultEmulatorOptions } from '../../support/vault/index.js';

const anyData = z.unknown();
const running: VaultEmulator[] = [];
async function start(options: VaultEmulatorOptions = {}) {
  const vault = await VaultEmulator.start(options);
  running.push(vault);
  return vault;
}
afterAll(async () => {
  await Promise.all(running.map((v) => v.stop()));
});

async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('VaultClient requests', () => {
  it('sends X-Vault-Request, the token and the namespace; parses the envelope and its warnings', async () => {
    const vault = await start({ namespaces: ['team-a'] });
    const token = vault.createToken({ policies: [], namespace: 'team-a' });
    const client = new VaultClient({ address: vault.url, namespace: 'team-a', token });
    const res = await client.read(
      'auth/token/lookup-self',
      z.object({ id: z.string(), ttl: z.number() }),
    );
    expect(res.data.id).toBe(token);
    expect(res.warnings).toEqual([]);
    expect(res.serverDate).toBeGreaterThan(0);
    const sent = vault.requests.at(-1)!;
    expect(sent.headers['x-vault-request']).toBe('true');
    expect(sent.headers['x-vault-token']).toBe(token);
    expect(sent.headers['x-vault-namespace']).toBe('team-a');

    vault.createToken({ policies: [] });
    const renewed = await new VaultClient({
      address: vault.url,
      token: vault.createToken({ policies: [], explicitMaxTtlSeconds: 600 }),
    }).write('auth/token/renew-self', { increment: '1h' }, z.null());
    expect(renewed.warnings).toEqual([
      'TTL of "1h" exceeded the effective max_ttl of "10m"; TTL value is capped accordingly',
    ]);
  });

  it('lists with ?list=true, and an empty list (404 with no errors) is an empty array', async () => {
    const vault = await start();
    const client = new VaultClient({ address: vault.url, token: vault.rootToken });
    const engine = new AwsBackend(vault);
    vault.mount('aws', engine);
    expect(await client.list('aws/roles')).toEqual([]);
    expect(vault.requests.at(-1)!.query).toEqual({ list: 'true' });
    engine.writeRole('b-role', {
      credential_type: 'assumed_role',
      role_arns: ['arn:aws:iam::1:role/B'],
    });
    engine.writeRole('a-role', {
      credential_type: 'assumed_role',
      role_arns: ['arn:aws:iam::1:role/A'],
    });
    expect(await client.list('aws/roles')).toEqual(['a-role', 'b-role']);
  });

  it('follows a 307 to the active node, keeping method and body (the limits: client-redirects.test.ts)', async () => {
    const active = await start();
    const standby = await start();
    standby.setStandby(active.url);
    const client = new VaultClient({ address: standby.url, token: active.rootToken });
    const res = await client.write('sys/capabilities-self', { paths: ['a/b'] }, anyData);
    expect(res.data).toEqual({ 'a/b': ['root'], capabilities: ['root'] });
    expect(active.requests.at(-1)!.body).toBe('{"paths":["a/b"]}');
  });

  it('retries a 412 briefly, then gives up', async () => {
    const vault = await start();
    const client = new VaultClient({ address: vault.url, token: vault.rootToken });
    vault.injectFault({ path: 'auth/token/lookup-self', kind: 'status', status: 412, times: 2 });
    expect((await client.read('auth/token/lookup-self', anyData)).data).toBeTruthy();
    vault.injectFault({ path: 'auth/token/lookup-self', kind: 'status', status: 412, times: 3 });
    expect((await failure(client.read('auth/token/lookup-self', anyData))).kind).toBe(
      'unavailable',
    );
    expect(vault.requests.filter((r) => r.status === 412)).toHaveLength(5);
  });
});

describe('VaultClient error kinds', () => {
  const cases: Array<[string, VaultErrorKind, (v: VaultEmulator) => Promise<unknown>]> = [
    [
      'a policy denial',
      'permission_denied',
      (v) =>
        new VaultClient({ address: v.url, token: v.createToken({ policies: [] }) }).read(
          'aws/creds/x',
          anyData,
        ),
    ],
    [
      'an unknown token (1.17+)',
      'invalid_token',
      (v) =>
        new VaultClient({ address: v.url, token: 'hvs.nope' }).read(
          'auth/token/lookup-self',
          anyData,
        ),
    ],
    [
      'nothing at the path',
      'not_found',
      (v) =>
        new VaultClient({ address: v.url, token: v.rootToken }).read(
          'sys/policies/acl/none',
          anyData,
        ),
    ],
    [
      'a bad request',
      'bad_request',
      (v) =>
        new VaultClient({ address: v.url, token: v.rootToken }).write(
          'sys/capabilities-self',
          {},
          anyData,
        ),
    ],
    [
      'a sealed Vault',
      'sealed',
      async (v) => {
        v.seal();
        try {
          return await new VaultClient({ address: v.url }).read('sys/mounts', anyData);
        } finally {
          v.unseal();
        }
      },
    ],
    [
      'a standby without leader',
      'standby',
      async (v) => {
        v.setStandby(null);
        try {
          return await new VaultClient({ address: v.url }).read('sys/mounts', anyData);
        } finally {
          v.setStandby(false);
        }
      },
    ],
    [
      'a rate limit',
      'rate_limited',
      (v) => {
        v.injectFault({ kind: 'status', status: 429, errors: ['rate limit quota exceeded'] });
        return new VaultClient({ address: v.url }).read('sys/mounts', anyData);
      },
    ],
    [
      'AWS throttling',
      'rate_limited',
      (v) => {
        v.injectFault({ kind: 'status', status: 502, errors: ['upstream rate limited'] });
        return new VaultClient({ address: v.url }).read('aws/creds/x', anyData);
      },
    ],
    [
      'a server error',
      'server_error',
      (v) => {
        v.injectFault({ kind: 'status', status: 500, errors: ['1 error occurred:\n\t* boom\n\n'] });
        return new VaultClient({ address: v.url }).read('sys/mounts', anyData);
      },
    ],
    [
      'a reset connection',
      'network',
      (v) => {
        v.injectFault({ kind: 'reset' });
        return new VaultClient({ address: v.url }).read('sys/mounts', anyData);
      },
    ],
    [
      'a reply that is not JSON',
      'malformed_response',
      (v) => {
        v.injectFault({ kind: 'malformed' });
        return new VaultClient({ address: v.url }).read('sys/mounts', anyData);
      },
    ],
    [
      'JSON of the wrong shape',
      'malformed_response',
      (v) => {
        v.injectFault({ kind: 'status', status: 200, body: '{"request_id": 7}' });
        return new VaultClient({ address: v.url }).read('sys/mounts', anyData);
      },
    ],
    [
      'no answer in time',
      'timeout',
      (v) => {
        v.injectFault({ kind: 'delay', ms: 500 });
        return new VaultClient({ address: v.url, timeoutMs: 100 }).read('sys/health', anyData);
      },
    ],
  ];

  it.each(cases)('%s is %s, with a one-line message', async (_name, kind, act) => {
    const vault = await start();
    const error = await failure(act(vault));
    expect(error.kind).toBe(kind);
    expect(error.message).not.toContain('\n');
    expect(error.message).toContain(vault.url);
  });

  it('Vault’s own words are in a bad request’s message, without the multierror decoration', async () => {
    const vault = await start();
    vault.injectFault({
      kind: 'status',
      status: 400,
      errors: ['1 error occurred:\n\t* Role "nope" not found\n\n'],
    });
    const error = await failure(
      new VaultClient({ address: vault.url }).read('aws/creds/nope', anyData),
    );
    expect(error.message).toBe(
      `Vault at ${vault.url} refused the request to aws/creds/nope: Role "nope" not found`,
    );
  });

  it('a closed port is a network error', async () => {
    const vault = await start();
    const url = vault.url;
    await vault.stop();
    const error = await failure(new VaultClient({ address: url }).read('sys/health', anyData));
    expect([error.kind, error.message]).toEqual([
      'network',
      `cannot reach Vault at ${url} (ECONNREFUSED)`,
    ]);
  });

  it('a token never appears in an error, its details or its cause', async () => {
    const vault = await start();
    const token = 'hvs.CANARYtokenCANARYtokenCANARY';
    const client = new VaultClient({ address: vault.url, token, timeoutMs: 100 });
    const seen = [await failure(client.read('auth/token/lookup-self', anyData))];
    vault.injectFault({ kind: 'reset' });
    seen.push(await failure(client.read('auth/token/lookup-self', anyData)));
    vault.injectFault({ kind: 'delay', ms: 400 });
    seen.push(await failure(client.read('auth/token/lookup-self', anyData)));
    expect(seen.map((e) => e.kind)).toEqual(['invalid_token', 'network', 'timeout']);
    for (const error of seen) {
      const everything = [
        error.message,
        error.stack,
        JSON.stringify(error.details),
        String(error.cause),
      ];
      expect(everything.join(' ')).not.toContain('CANARY');
    }
  });
});

describe('VaultClient TLS and proxies', () => {
  let certs: TestCertificates;
  let vault: VaultEmulator;
  const lookup = z.object({ id: z.string() });

  beforeAll(async () => {
    certs = makeCertificates();
    vault = await start({
      tls: { key: readPem(certs.serverKey), cert: readPem(certs.serverCert) },
    });
  });

  const client = (
    tls: ConstructorParameters<typeof VaultClient>[0]['tls'],
    extra: Partial<ConstructorParameters<typeof VaultClient>[0]> = {},
  ) => new VaultClient({ address: vault.url, token: vault.rootToken, tls, ...extra });

  it('trusts the server with the right CA file (VAULT_CACERT) or CA folder (VAULT_CAPATH)', async () => {
    expect(vault.url).toMatch(/^https:/);
    expect(
      (await client({ caFile: certs.caFile }).read('auth/token/lookup-self', lookup)).data.id,
    ).toBe(vault.rootToken);
    const folder = mkdtempSync(join(tmpdir(), 'capath-'));
    copyFileSync(certs.caFile, join(folder, 'team-ca.pem'));
    expect((await client({ caPath: folder }).read('auth/token/lookup-self', lookup)).data.id).toBe(
      vault.rootToken,
    );
  });

  it('the tray app’s trust: the configured CA added to the public and OS roots, not instead', async () => {
    expect(
      (
        await client({ caFile: certs.caFile, trustSystem: true }).read(
          'auth/token/lookup-self',
          lookup,
        )
      ).data.id,
    ).toBe(vault.rootToken);
    const trusted = trustedCas({ caFile: certs.caFile, trustSystem: true })!;
    expect(trusted).toEqual(
      expect.arrayContaining([...rootCertificates, readFileSync(certs.caFile, 'utf8')]),
    );
    expect(trustedCas({ caFile: certs.caFile })).toEqual([readFileSync(certs.caFile, 'utf8')]);
    expect(trustedCas({})).toBeUndefined();
    // The public roots do not vouch for a private CA's server.
    expect(
      (await failure(client({ trustSystem: true }).read('auth/token/lookup-self', lookup))).kind,
    ).toBe('tls');
  });

  it('refuses the system store’s default and a wrong CA', async () => {
    expect((await failure(client({}).read('auth/token/lookup-self', lookup))).kind).toBe('tls');
    const wrong = await failure(
      client({ caFile: certs.otherCaFile }).read('auth/token/lookup-self', lookup),
    );
    expect(wrong.kind).toBe('tls');
    expect(wrong.message).toContain('VAULT_CACERT');
  });

  it('checks the server name; VAULT_TLS_SERVER_NAME names the certificate’s host', async () => {
    const byName = new VaultClient({
      address: vault.url.replace('127.0.0.1', 'localhost'),
      token: vault.rootToken,
      tls: { caFile: certs.caFile },
    });
    const mismatch = await failure(byName.read('auth/token/lookup-self', lookup));
    expect([mismatch.kind, mismatch.message]).toEqual([
      'tls',
      expect.stringContaining('another name'),
    ]);
    const named = new VaultClient({
      address: vault.url.replace('127.0.0.1', 'localhost'),
      token: vault.rootToken,
      tls: { caFile: certs.caFile, serverName: 'vault.test' },
    });
    expect((await named.read('auth/token/lookup-self', lookup)).data.id).toBe(vault.rootToken);
  });

  it('VAULT_SKIP_VERIFY works, and says loudly that it is unsafe', async () => {
    const warnings: string[] = [];
    const logger = { debug() {}, info() {}, error() {}, warn: (m: string) => warnings.push(m) };
    expect(
      (await client({ skipVerify: true }, { logger }).read('auth/token/lookup-self', lookup)).data
        .id,
    ).toBe(vault.rootToken);
    expect(warnings).toEqual([expect.stringContaining('TLS verification is OFF')]);
  });

  it('a missing CA file is a tls error that names the file', async () => {
    expect(() => client({ caFile: '/nonexistent/ca.pem' })).toThrow(
      /cannot read the CA file \/nonexistent\/ca\.pem/,
    );
  });

  it('goes through HTTPS_PROXY with the custom CA, and straight when NO_PROXY names the host', async () => {
    const proxy = await startConnectProxy();
    try {
      const port = new URL(vault.url).port;
      const proxied = client({ caFile: certs.caFile }, { env: { HTTPS_PROXY: proxy.url } });
      expect((await proxied.read('auth/token/lookup-self', lookup)).data.id).toBe(vault.rootToken);
      expect(proxy.tunnels).toEqual([`127.0.0.1:${port}`]);
      const wrongCa = client({ caFile: certs.otherCaFile }, { env: { HTTPS_PROXY: proxy.url } });
      expect((await failure(wrongCa.read('auth/token/lookup-self', lookup))).kind).toBe('tls');
      const bypass = client(
        { caFile: certs.caFile },
        { env: { HTTPS_PROXY: proxy.url, NO_PROXY: 'example.com,127.0.0.1' } },
      );
      await bypass.read('auth/token/lookup-self', lookup);
      expect(proxy.tunnels).toHaveLength(2);
    } finally {
      await proxy.close();
    }
  });

  it('refuses to follow a redirect from https to http', async () => {
    const plain = await start();
    vault.setStandby(plain.url);
    try {
      const error = await failure(
        client({ caFile: certs.caFile }).read('auth/token/lookup-self', lookup),
      );
      expect([error.kind, error.message]).toEqual(['tls', expect.stringContaining('without TLS')]);
    } finally {
      vault.setStandby(false);
    }
  });
});

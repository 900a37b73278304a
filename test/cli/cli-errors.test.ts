import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.js';
import { startConnectProxy } from '../support/connect-proxy.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { makeCertificates, readPem } from '../support/tls.js';
import { VaultEmulator } from '../support/vault/index.js';
import { cliHarness } from './cli-harness.js';

/** Everything a failed command could have touched, to prove it wrote nothing. */
function snapshot(cli: ReturnType<typeof cliHarness>) {
  const files = [cli.credentialsFile, cli.configFile];
  const aws = existsSync(`${cli.home}/.aws`) ? readdirSync(`${cli.home}/.aws`).sort() : [];
  return {
    aws,
    contents: files.map((f) => (existsSync(f) ? readFileSync(f, 'utf8') : null)),
    mtimes: files.map((f) => (existsSync(f) ? statSync(f).mtimeMs : null)),
  };
}

describe('every error kind: one line on stderr, its exit code, nothing written', () => {
  let stack: Stack;
  let clock: FakeClock;
  let cli: ReturnType<typeof cliHarness>;

  beforeAll(async () => {
    clock = new FakeClock();
    stack = await startStack({ clock });
    cli = cliHarness({ clock });
    const token = stack.vault.createToken({
      policies: ['aws-dev-readonly'],
      ttlSeconds: 30 * 24 * 3600,
    });
    expect(
      (
        await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
          env: { VAULT_TOKEN: token },
        })
      ).code,
    ).toBe(0);
    expect(
      (await cli.run(['profile', 'add', 'dev', '--role', 'dev-readonly', '--region', STACK_REGION]))
        .code,
    ).toBe(0);
    expect((await cli.run(['refresh'])).code).toBe(0);
  });
  afterAll(async () => {
    await stack.stop();
  });
  beforeEach(() => {
    stack.vault.clearFaults();
  });

  const cases: Array<[string, (s: Stack) => void, number, RegExp]> = [
    [
      'sealed',
      (s) => s.vault.seal(),
      1,
      /^vault-aws-tray: dev: Vault at \S+ is sealed; an operator must unseal it\n$/,
    ],
    [
      'standby without leader',
      (s) => s.vault.setStandby(null),
      1,
      /^vault-aws-tray: dev: Vault at \S+ is a standby node and knows no active node\n$/,
    ],
    [
      'a role that is gone',
      (s) =>
        s.vault.injectFault({
          path: 'aws/creds/dev-readonly',
          kind: 'status',
          status: 400,
          errors: ['Role "dev-readonly" not found'],
        }),
      1,
      /^vault-aws-tray: dev: Vault at \S+ refused the request to aws\/creds\/dev-readonly: Role "dev-readonly" not found\n$/,
    ],
    [
      'a policy that no longer allows it',
      (s) =>
        s.vault.injectFault({
          path: 'aws/creds/dev-readonly',
          kind: 'status',
          status: 403,
          errors: ['1 error occurred:\n\t* permission denied\n\n'],
        }),
      1,
      /^vault-aws-tray: dev: Vault at \S+ denied access to aws\/creds\/dev-readonly: your policies do not allow it\n$/,
    ],
    [
      'AWS throttling',
      (s) =>
        s.vault.injectFault({
          path: 'aws/creds/dev-readonly',
          kind: 'status',
          status: 502,
          errors: ['upstream rate limited'],
        }),
      1,
      /^vault-aws-tray: dev: AWS is throttling Vault at \S+; try again in a minute\n$/,
    ],
    [
      'a rate limit',
      (s) =>
        s.vault.injectFault({ kind: 'status', status: 429, errors: ['rate limit quota exceeded'] }),
      1,
      /^vault-aws-tray: dev: Vault at \S+ is rate limiting requests \(rate limit quota exceeded\)\n$/,
    ],
    [
      'a server error',
      (s) => s.vault.injectFault({ kind: 'status', status: 500, errors: ['internal error'] }),
      1,
      /^vault-aws-tray: dev: Vault at \S+ failed with HTTP 500: internal error\n$/,
    ],
    [
      'a broken reply',
      (s) => s.vault.injectFault({ kind: 'malformed' }),
      1,
      /^vault-aws-tray: dev: Vault at \S+ sent a reply to aws\/creds\/dev-readonly that is not JSON\n$/,
    ],
    [
      'a reset connection',
      (s) => s.vault.injectFault({ kind: 'reset' }),
      1,
      /^vault-aws-tray: dev: cannot reach Vault at \S+ \(ECONNRESET\)\n$/,
    ],
    [
      'the token revoked',
      (s) =>
        s.vault.injectFault({
          kind: 'status',
          status: 403,
          errors: ['2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n'],
        }),
      3,
      /^vault-aws-tray: dev: Vault at \S+ no longer accepts this token \(expired or revoked\); sign in again\nvault-aws-tray: Vault no longer accepts the token: run `vault-aws-tray login`\n$/,
    ],
  ];

  it.each(cases)('%s', async (_name, cause, code, stderr) => {
    const before = snapshot(cli);
    cause(stack);
    const result = await cli.run(['refresh']);
    stack.vault.unseal();
    stack.vault.setStandby(false);
    expect(result.stderr).toMatch(stderr);
    expect(result.code).toBe(code);
    expect(result.stdout).toBe('');
    expect(snapshot(cli)).toEqual(before);
  });

  it('a timeout (VAULT_CLIENT_TIMEOUT)', async () => {
    const before = snapshot(cli);
    stack.vault.injectFault({ kind: 'delay', ms: 1500 });
    const result = await cli.run(['refresh'], { env: { VAULT_CLIENT_TIMEOUT: '1' } });
    expect([result.code, result.stderr]).toEqual([
      1,
      `vault-aws-tray: dev: Vault at ${stack.vault.url} did not answer aws/creds/dev-readonly in time\n`,
    ]);
    expect(snapshot(cli)).toEqual(before);
  });

  it('Vault unreachable', async () => {
    const gone = await VaultEmulator.start({ clock });
    const other = cliHarness({ clock });
    await other.run(['login', '--method', 'token', '--addr', gone.url], {
      env: { VAULT_TOKEN: gone.rootToken },
    });
    expect(
      (await other.run(['profile', 'add', 'dev', '--role', 'dev-readonly', '--no-refresh'])).code,
    ).toBe(0);
    await gone.stop();
    const result = await other.run(['refresh']);
    expect([result.code, result.stderr]).toEqual([
      1,
      `vault-aws-tray: dev: cannot reach Vault at ${gone.url} (ECONNREFUSED)\n`,
    ]);
    expect(existsSync(other.credentialsFile)).toBe(false);
  });

  it('a clock far from Vault’s is reported, and the expiry still counts from the answer', async () => {
    stack.vault.dateOffsetMs = -5 * 60_000;
    try {
      const result = await cli.run(['refresh']);
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(
        /^vault-aws-tray: warning: this machine's clock is (4m59s|5m|5m1s) ahead of Vault's; expiry times may be off by as much\n$/,
      );
    } finally {
      stack.vault.dateOffsetMs = 0;
    }
  });

  it('usage errors exit 2', async () => {
    const cases = [
      [
        ['profile', 'add', 'bad name', '--role', 'x'],
        'vault-aws-tray: Profile name "bad name" may only contain letters, digits, ".", "_" and "-".\n',
      ],
      [
        ['profile', 'add', 'x', '--role', 'r', '--ttl', '10m'],
        'vault-aws-tray: --ttl 10m is under the minimum of 15m\n',
      ],
      [
        ['profile', 'add', 'x', '--role', 'r', '--lead', 'soon'],
        'vault-aws-tray: --lead soon is not a duration (like 15m, 1h or 3600s)\n',
      ],
      [
        ['profile', 'add', 'x'],
        'vault-aws-tray: missing --role: the Vault AWS role that feeds this profile\n',
      ],
      [
        ['login', '--method', 'magic'],
        'vault-aws-tray: --method must be oidc or jwt or token, not "magic"\n',
      ],
      [
        ['refresh', '--frobnicate'],
        'vault-aws-tray: unknown option --frobnicate (see vault-aws-tray help refresh)\n',
      ],
      [
        ['status', '--config-dir'],
        'vault-aws-tray: --config-dir needs a value (see vault-aws-tray help status)\n',
      ],
      [['status', 'extra'], 'vault-aws-tray: status takes no arguments (got extra)\n'],
      [['logout', '--json'], 'vault-aws-tray: logout has no --json output\n'],
      [
        ['env', 'dev', '--format', 'cmd'],
        'vault-aws-tray: --format must be env or fish or powershell, not "cmd"\n',
      ],
      [['profile'], 'vault-aws-tray: profile needs a command: add, set, remove, list\n'],
      [
        ['profile', 'rename'],
        'vault-aws-tray: unknown profile command "rename" (add, set, remove, list)\n',
      ],
      [['nope'], 'vault-aws-tray: unknown command "nope" (see --help)\n'],
    ] as const;
    for (const [args, stderr] of cases) {
      const result = await cli.run([...args]);
      expect([result.code, result.stderr]).toEqual([2, stderr]);
    }
  });

  it('refresh without a session exits 3', async () => {
    const fresh = cliHarness({ clock, env: { VAULT_ADDR: stack.vault.url } });
    expect((await fresh.run(['profile', 'add', 'dev', '--role', 'dev-readonly'])).code).toBe(0);
    const result = await fresh.run(['refresh']);
    expect([result.code, result.stderr]).toEqual([
      3,
      'vault-aws-tray: not signed in: run `vault-aws-tray login` first\n',
    ]);
    expect(existsSync(fresh.credentialsFile)).toBe(false);
  });

  it('one failing role does not block the others', async () => {
    expect((await cli.run(['profile', 'add', 'prod', '--role', 'prod-admin'])).code).toBe(1);
    stack.vault.writePolicy('both', 'path "aws/creds/*" { capabilities = ["read"] }');
    const other = cliHarness({ clock });
    const token = stack.vault.createToken({ policies: ['both'] });
    await other.run(['login', '--method', 'token', '--addr', stack.vault.url], {
      env: { VAULT_TOKEN: token },
    });
    await other.run(['profile', 'add', 'dev', '--role', 'dev-readonly']);
    await other.run(['profile', 'add', 'broken', '--role', 'no-such-role']);
    const result = await other.run(['refresh']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^dev: fresh until/);
    expect(result.stderr).toContain('broken: Vault at');
    expect(readFileSync(other.credentialsFile, 'utf8')).toMatch(/^\[dev\]\n/);
    expect(readFileSync(other.credentialsFile, 'utf8')).not.toContain('[broken]');
    const status = JSON.parse((await other.run(['status', '--json'])).stdout) as {
      profiles: Array<{ name: string; state: string; lastError: unknown }>;
    };
    expect(status.profiles.map((p) => [p.name, p.state])).toEqual([
      ['dev', 'fresh'],
      ['broken', 'error'],
    ]);
  });

  it('profile add refuses a role the policies do not allow, and an unmanaged profile unless adopted', async () => {
    const denied = await cli.run(['profile', 'add', 'prod', '--role', 'prod-admin']);
    expect([denied.code, denied.stderr]).toEqual([
      1,
      'vault-aws-tray: your Vault policies do not allow read on aws/creds/prod-admin; ask your Vault admin, or check --role and --mount\n',
    ]);
  });
});

describe('TLS and proxies from the command line', () => {
  const certs = makeCertificates();
  let vault: VaultEmulator;
  let token: string;
  const clock = new FakeClock();

  beforeAll(async () => {
    vault = await VaultEmulator.start({
      clock,
      tls: { key: readPem(certs.serverKey), cert: readPem(certs.serverCert) },
    });
    token = vault.createToken({ policies: [] });
  });
  afterAll(async () => {
    await vault.stop();
  });

  it('VAULT_CACERT: the right CA signs in, a wrong one is a TLS error', async () => {
    const cli = cliHarness({ clock });
    const ok = await cli.run(['login', '--method', 'token', '--addr', vault.url], {
      env: { VAULT_TOKEN: token, VAULT_CACERT: certs.caFile },
    });
    expect(ok.code).toBe(0);
    // The CA is remembered: a later run without VAULT_CACERT still trusts the server.
    expect((await cli.run(['status'])).stderr).toBe('');
    const wrong = await cliHarness({ clock }).run(
      ['login', '--method', 'token', '--addr', vault.url],
      {
        env: { VAULT_TOKEN: token, VAULT_CACERT: certs.otherCaFile },
      },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      /^vault-aws-tray: cannot verify Vault at https:\/\/127\.0\.0\.1:\d+: its certificate is not trusted/,
    );
  });

  it('VAULT_TLS_SERVER_NAME, and VAULT_SKIP_VERIFY with its warning', async () => {
    const byName = vault.url.replace('127.0.0.1', 'localhost');
    const named = await cliHarness({ clock }).run(
      ['login', '--method', 'token', '--addr', byName],
      {
        env: {
          VAULT_TOKEN: token,
          VAULT_CACERT: certs.caFile,
          VAULT_TLS_SERVER_NAME: 'vault.test',
        },
      },
    );
    expect(named.code).toBe(0);
    const skipped = await cliHarness({ clock }).run(
      ['login', '--method', 'token', '--addr', vault.url],
      {
        env: { VAULT_TOKEN: token, VAULT_SKIP_VERIFY: 'true' },
      },
    );
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain('vault-aws-tray: warning: TLS verification is OFF');
  });

  it('through a CONNECT proxy from HTTPS_PROXY, with the custom CA', async () => {
    const proxy = await startConnectProxy();
    try {
      const result = await cliHarness({ clock }).run(
        ['login', '--method', 'token', '--addr', vault.url],
        {
          env: { VAULT_TOKEN: token, VAULT_CACERT: certs.caFile, HTTPS_PROXY: proxy.url },
        },
      );
      expect(result.code).toBe(0);
      expect(proxy.tunnels).toEqual([new URL(vault.url).host]);
    } finally {
      await proxy.close();
    }
  });
});

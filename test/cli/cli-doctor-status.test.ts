import { chmodSync, chownSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { makeCertificates, readPem } from '../support/tls.js';
import { VaultEmulator } from '../support/vault/index.js';
import { cliHarness } from './cli-harness.js';

let stack: Stack;
let clock: FakeClock;
beforeAll(async () => {
  clock = new FakeClock();
  stack = await startStack({ clock });
});
afterAll(async () => {
  await stack.stop();
});

/** A signed-in CLI with one refreshed profile; `capped`: the token cannot outlive its TTL. */
async function signedIn(ttlSeconds = 8 * 3600, { capped = false } = {}) {
  const cli = cliHarness({ clock });
  const token = stack.vault.createToken({
    policies: ['aws-dev-readonly'],
    ttlSeconds,
    explicitMaxTtlSeconds: capped ? ttlSeconds : undefined,
  });
  await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
    env: { VAULT_TOKEN: token },
  });
  await cli.run(['profile', 'add', 'dev', '--role', 'dev-readonly', '--region', STACK_REGION]);
  await cli.run(['refresh']);
  return { cli, token };
}

function line(stdout: string, check: string): string {
  return stdout.split('\n').find((l) => l.includes(` ${check}:`)) ?? `(no ${check} line)`;
}

describe('doctor: each finding, made to happen', () => {
  it('all ok on a healthy setup, exit 0', async () => {
    const { cli } = await signedIn();
    const result = await cli.run(['doctor']);
    expect(result.code).toBe(0);
    for (const check of ['settings folder', 'settings', 'aws files', 'vault', 'clock', 'session']) {
      expect(line(result.stdout, check)).toMatch(/^ok /);
    }
  });

  it('a new machine: no Vault address yet, AWS files not created yet', async () => {
    const cli = cliHarness({ clock });
    const result = await cli.run(['doctor']);
    expect(line(result.stdout, 'vault')).toBe(
      'warn  vault: no Vault address yet: run `vault-aws-tray login --addr URL`',
    );
    expect(result.stdout).toContain(
      `ok    aws files: ${cli.credentialsFile} does not exist yet; it will be created`,
    );
    expect(result.code).toBe(0);
  });

  it('a settings folder open to others is a warning; a readable token file an error', async () => {
    const { cli } = await signedIn();
    chmodSync(cli.configDir, 0o755);
    chmodSync(join(cli.configDir, 'tokens.json'), 0o644);
    const result = await cli.run(['doctor']);
    expect(line(result.stdout, 'settings folder')).toBe(
      `warn  settings folder: ${cli.configDir} is open to other users (mode 0755); run chmod 700 on it`,
    );
    expect(line(result.stdout, 'token file')).toMatch(
      /^error token file: .*tokens\.json holds your Vault token and other users can read it \(mode 0644\)/,
    );
    expect(result.code).toBe(1);
  });

  it('a broken settings file', async () => {
    const { cli } = await signedIn();
    writeFileSync(join(cli.configDir, 'config.json'), '{"profiles": {"bad name": {"role": "x"}}}');
    const result = await cli.run(['doctor']);
    expect(line(result.stdout, 'settings')).toMatch(
      /^error settings: .*config\.json: profiles: a profile name is not a valid AWS profile name$/,
    );
    expect(result.code).toBe(1);
  });

  it('a credentials file botocore cannot read, and one readable by others', async () => {
    const { cli } = await signedIn();
    chmodSync(cli.credentialsFile, 0o644);
    expect(line((await cli.run(['doctor'])).stdout, 'aws files')).toMatch(
      /^warn {2}aws files: .*credentials is readable by other users \(mode 0644\)/,
    );
    writeFileSync(
      cli.credentialsFile,
      `${readFileSync(cli.credentialsFile, 'utf8')}[dev]\nx = 1\n`,
    );
    const result = await cli.run(['doctor']);
    expect(result.stdout).toMatch(/error aws files: .*credentials:\d+: .*\[duplicate-section\]/);
    expect(result.code).toBe(1);
  });

  it('a managed profile missing from the file, and one shadowed by the config file', async () => {
    const { cli } = await signedIn();
    writeFileSync(cli.credentialsFile, '');
    writeFileSync(
      cli.configFile,
      `[profile dev]\nregion = ${STACK_REGION}\ncredential_process = /usr/bin/other-helper\n`,
    );
    const result = await cli.run(['doctor']);
    expect(line(result.stdout, 'profiles')).toMatch(
      /^warn {2}profiles: profile dev is managed but missing from .*credentials; run `vault-aws-tray refresh dev`$/,
    );
    expect(line(result.stdout, 'shadowing')).toMatch(/^warn {2}shadowing: .*credential_process/);
  });

  it('AWS files the app could not write: a read-only file, a folder of another user; process profiles are not "missing"', async () => {
    const { cli } = await signedIn();
    expect(
      (await cli.run(['profile', 'add', 'ci', '--role', 'dev-readonly', '--delivery', 'process']))
        .code,
    ).toBe(0);
    const healthy = await cli.run(['doctor']);
    expect(healthy.code).toBe(0);
    expect(healthy.stdout).not.toMatch(/ci is managed but missing|does not run/);

    chmodSync(cli.credentialsFile, 0o444);
    const readOnly = await cli.run(['doctor']);
    expect(readOnly.code).toBe(1);
    expect(readOnly.stdout).toContain(
      `error aws files: ${cli.credentialsFile} is read-only (mode 0444`,
    );
    chmodSync(cli.credentialsFile, 0o600);

    const folder = join(cli.home, '.aws');
    chownSync(folder, 65534, 65534);
    const foreign = await cli.run(['doctor']);
    chownSync(folder, process.getuid!(), process.getgid!());
    expect(foreign.code).toBe(1);
    expect(foreign.stdout).toMatch(
      /error aws files: \S+\.aws cannot be written by this user \(mode 0700, owner uid 65534/,
    );
  });

  it('Vault unreachable, sealed, a standby', async () => {
    const { cli } = await signedIn();
    stack.vault.seal();
    expect(line((await cli.run(['doctor'])).stdout, 'vault')).toMatch(
      /^error vault: Vault at \S+ is sealed/,
    );
    stack.vault.unseal();
    stack.vault.setStandby('http://127.0.0.1:9');
    expect(line((await cli.run(['doctor'])).stdout, 'vault')).toMatch(
      /^warn {2}vault: Vault at \S+ is a standby node/,
    );
    stack.vault.setStandby(false);
    // The saved Vault is what the engine checks; VAULT_ADDR naming another is worth a word.
    const gone = await VaultEmulator.start();
    const url = gone.url;
    const other = cliHarness({ clock });
    await other.run(['login', '--method', 'token', '--addr', url], {
      env: { VAULT_TOKEN: gone.rootToken },
    });
    await gone.stop();
    const result = await other.run(['doctor'], { env: { VAULT_ADDR: stack.vault.url } });
    expect(line(result.stdout, 'vault')).toBe(
      `error vault: cannot reach Vault at ${url} (ECONNREFUSED)`,
    );
    expect(result.stdout).toContain(
      `warn  vault: VAULT_ADDR is ${stack.vault.url} but the saved Vault is ${url}: \`login\` signs in to ${stack.vault.url} and saves it; every other command uses ${url}\n`,
    );
    expect(result.code).toBe(1);
  });

  it('TLS: a certificate not trusted, and skip-verify', async () => {
    const certs = makeCertificates();
    const secure = await VaultEmulator.start({
      tls: { key: readPem(certs.serverKey), cert: readPem(certs.serverCert) },
    });
    try {
      const cli = cliHarness({ clock, env: { VAULT_ADDR: secure.url } });
      expect(line((await cli.run(['doctor'])).stdout, 'tls')).toMatch(
        /^error tls: cannot verify Vault at https:\S+: its certificate is not trusted/,
      );
      const skipping = await cli.run(['doctor'], { env: { VAULT_SKIP_VERIFY: '1' } });
      expect(line(skipping.stdout, 'tls')).toMatch(/^warn {2}tls: TLS verification is off/);
      expect(line(skipping.stdout, 'vault')).toMatch(/^ok {4}vault: /);
    } finally {
      await secure.stop();
    }
  });

  it('the clock: a warning past a minute of skew, an error past five', async () => {
    const { cli } = await signedIn();
    stack.vault.dateOffsetMs = -2 * 60_000;
    // sys/health reports whole seconds, so the measured skew may be a second more.
    expect(line((await cli.run(['doctor'])).stdout, 'clock')).toMatch(
      /^warn {2}clock: this machine's clock is 2m(1s)? ahead of Vault's; expiry times will be off by as much$/,
    );
    stack.vault.dateOffsetMs = 10 * 60_000;
    expect(line((await cli.run(['doctor'])).stdout, 'clock')).toMatch(
      /^error clock: this machine's clock is (9m59s|10m) behind Vault's; AWS refuses requests signed 15 minutes off$/,
    );
    stack.vault.dateOffsetMs = 0;
  });

  it('the session: not signed in, ending soon, no longer accepted', async () => {
    const nobody = cliHarness({ clock, env: { VAULT_ADDR: stack.vault.url } });
    expect(line((await nobody.run(['doctor'])).stdout, 'session')).toBe(
      'warn  session: not signed in: run `vault-aws-tray login`',
    );
    // A token whose explicit max TTL ends it in 10 minutes: no renewal can help.
    const { cli, token } = await signedIn(600, { capped: true });
    expect(line((await cli.run(['doctor'])).stdout, 'session')).toMatch(
      /^warn {2}session: signed in as token, but the token expires in 10m$/,
    );
    // A renewable one with as little left is renewed before it ends: nothing to warn about.
    const renewable = await signedIn(600);
    expect(line((await renewable.cli.run(['doctor'])).stdout, 'session')).toBe(
      'ok    session: signed in as token',
    );
    await fetch(`${stack.vault.url}/v1/auth/token/revoke-self`, {
      method: 'POST',
      headers: { 'X-Vault-Token': token },
    });
    expect(line((await cli.run(['doctor'])).stdout, 'session')).toBe(
      'error session: Vault no longer accepts the stored token: run `vault-aws-tray login`',
    );
  });
});

describe('status --json', () => {
  const ajv = new Ajv({ allErrors: true });
  addFormats.default(ajv);
  const validate = ajv.compile(
    JSON.parse(readFileSync('docs/status.schema.json', 'utf8')) as object,
  );

  it('follows docs/status.schema.json in every state', async () => {
    const { cli, token } = await signedIn(3600, { capped: true });
    const outputs: unknown[] = [JSON.parse((await cli.run(['status', '--json'])).stdout)];
    stack.vault.injectFault({
      path: 'aws/creds/dev-readonly',
      kind: 'status',
      status: 500,
      errors: ['boom'],
    });
    await cli.run(['refresh']);
    outputs.push(JSON.parse((await cli.run(['status', '--json'])).stdout));
    clock.advance(3000_000);
    outputs.push(JSON.parse((await cli.run(['status', '--json'])).stdout));
    await fetch(`${stack.vault.url}/v1/auth/token/revoke-self`, {
      method: 'POST',
      headers: { 'X-Vault-Token': token },
    });
    outputs.push(JSON.parse((await cli.run(['status', '--json'])).stdout));
    outputs.push(JSON.parse((await cliHarness({ clock }).run(['status', '--json'])).stdout));
    for (const output of outputs)
      expect(validate(output), JSON.stringify(validate.errors)).toBe(true);
    const states = outputs.map((o) => {
      const s = o as { session: { state: string }; profiles: Array<{ state: string }> };
      return [s.session.state, s.profiles[0]?.state];
    });
    expect(states).toEqual([
      ['active', 'fresh'],
      ['active', 'expiring'],
      ['ending_soon', 'expiring'],
      ['needs_sign_in', 'needs_sign_in'],
      ['signed_out', undefined],
    ]);
  });

  it('the schema would catch a renamed field', () => {
    const output = {
      version: 1,
      generatedAt: new Date().toISOString(),
      engine: 'none',
      session: { state: 'active' },
      profiles: [],
    };
    expect(validate(output)).toBe(false);
  });
});

describe('adopting an existing profile', () => {
  it('is refused without --adopt, and with it the old section goes to a backup', async () => {
    const cli = cliHarness({ clock });
    mkdirSync(join(cli.home, '.aws'), { recursive: true, mode: 0o700 });
    const mine =
      '# my hand-made profile\n[dev]\naws_access_key_id = AKIAOLDOLDOLDOLDOLD1\naws_secret_access_key = old\n';
    writeFileSync(cli.credentialsFile, mine, { mode: 0o600 });
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'] });
    await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
      env: { VAULT_TOKEN: token },
    });
    const refused = await cli.run(['profile', 'add', 'dev', '--role', 'dev-readonly']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `vault-aws-tray: profile dev already exists in ${cli.credentialsFile} and vault-aws-tray does not manage it; add --adopt to take it over (its current content is kept in a backup)\n`,
    );
    expect(
      (await cli.run(['profile', 'add', 'dev', '--role', 'dev-readonly', '--adopt'])).code,
    ).toBe(0);
    expect((await cli.run(['refresh'])).code).toBe(0);
    const now = readFileSync(cli.credentialsFile, 'utf8');
    expect(now.startsWith('# my hand-made profile\n[dev]\naws_access_key_id = ASIA')).toBe(true);
    const backups = readdirSync(join(cli.home, '.aws')).filter(
      (f) => f !== 'credentials' && f !== 'config',
    );
    const kept = backups.map((f) => readFileSync(join(cli.home, '.aws', f), 'utf8')).join('\n');
    expect(kept).toContain('aws_access_key_id = AKIAOLDOLDOLDOLDOLD1');
    expect((await cli.run(['refresh'])).code).toBe(0);
  });
});

describe('secrets never printed', () => {
  it('the token and the keys appear in no output, the settings or the state file', async () => {
    const { cli, token } = await signedIn();
    const outputs: string[] = [];
    for (const args of [
      ['status'],
      ['status', '--json'],
      ['refresh'],
      ['profile', 'list', '--json'],
      ['doctor'],
      ['logout'],
    ]) {
      const r = await cli.run(args);
      outputs.push(r.stdout, r.stderr);
    }
    const credentials = readFileSync(cli.credentialsFile, 'utf8');
    const secrets = [
      token,
      /aws_access_key_id = (\S+)/.exec(credentials)![1]!,
      /aws_secret_access_key = (\S+)/.exec(credentials)![1]!,
      /aws_session_token = (\S+)/.exec(credentials)![1]!,
    ];
    const stored = readdirSync(cli.configDir)
      .filter((f) => f !== 'tokens.json')
      .map((f) => readFileSync(join(cli.configDir, f), 'utf8'));
    for (const secret of secrets) {
      for (const text of [...outputs, ...stored]) expect(text).not.toContain(secret);
    }
  });
});

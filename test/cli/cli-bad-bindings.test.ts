/**
 * One bad profile never stops the others, and never reaches Vault with the user's token: a value
 * refused when it is saved, one saved by hand before a rule refused it, and one Vault sends that
 * the credentials file cannot hold.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.js';
import { DEV_ROLE_ARN, STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { cliHarness } from './cli-harness.js';

let stack: Stack;
let clock: FakeClock;
beforeAll(async () => {
  clock = new FakeClock();
  stack = await startStack({ clock });
  stack.vault.writePolicy('all-creds', 'path "aws/*" { capabilities = ["read", "update"] }');
  stack.awsEngine.writeRole('odd', {
    credential_type: 'assumed_role',
    role_arns: [DEV_ROLE_ARN],
    default_sts_ttl: '1h',
  });
});
afterAll(async () => {
  await stack.stop();
});

async function user() {
  const cli = cliHarness({ clock });
  const token = stack.vault.createToken({ policies: ['all-creds'], ttlSeconds: 3600 });
  expect(
    (
      await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
        env: { VAULT_TOKEN: token },
      })
    ).code,
  ).toBe(0);
  return cli;
}

/** Another program (or an older version) writes a profile into the settings file as it likes. */
function handEdit(cli: ReturnType<typeof cliHarness>, profile: string, fields: object): void {
  const file = join(cli.configDir, 'config.json');
  const settings = JSON.parse(readFileSync(file, 'utf8')) as { profiles: Record<string, object> };
  settings.profiles[profile] = { ...settings.profiles.dev, ...fields };
  writeFileSync(file, JSON.stringify(settings));
}

const requestsTo = (path: string) => stack.vault.requests.filter((r) => r.path === path).length;

describe('a bad profile fails alone', () => {
  it('a role or mount that would leave its path, or a region with a line break, is refused when saved', async () => {
    const cli = await user();
    const cases: Array<[string[], RegExp]> = [
      [['--role', '../../sys/seal', '--endpoint', 'sts'], /^vault-aws-tray: The role \(--role\)/],
      [['--role', 'dev-readonly', '--mount', 'aws/..'], /^vault-aws-tray: The mount \(--mount\)/],
      [['--role', 'a?b'], /^vault-aws-tray: The role \(--role\)/],
      [['--role', 'dev-readonly', '--region', 'eu\n[default]'], /region name/],
    ];
    for (const [flags, message] of cases) {
      const result = await cli.run(['profile', 'add', 'x', ...flags]);
      expect([result.code, result.stdout]).toEqual([2, '']);
      expect(result.stderr).toMatch(message);
    }
    expect(requestsTo('/v1/sys/seal')).toBe(0);
    expect(JSON.parse((await cli.run(['profile', 'list', '--json'])).stdout)).toEqual([]);
  });

  it('values saved by hand that the rules refuse: those profiles fail alone, naming the field; the others are written', async () => {
    const cli = await user();
    expect(
      (await cli.run(['profile', 'add', 'dev', '--role', 'dev-readonly', '--region', STACK_REGION]))
        .code,
    ).toBe(0);
    handEdit(cli, 'sealer', { role: '../../sys/seal', endpoint: 'sts', written: false });
    handEdit(cli, 'newline', { region: 'eu\n[default]\naws_access_key_id = x', written: false });
    const result = await cli.run(['refresh']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^dev: fresh until /);
    expect(result.stderr).toMatch(/^vault-aws-tray: sealer: profile sealer: role: The role/m);
    expect(result.stderr).toMatch(/^vault-aws-tray: newline: profile newline: region: /m);
    expect(requestsTo('/v1/sys/seal')).toBe(0);
    const file = readFileSync(cli.credentialsFile, 'utf8');
    expect(file).toMatch(/^\[dev\]\naws_access_key_id = ASIA/);
    expect(file).not.toContain('[default]');
    const status = JSON.parse((await cli.run(['status', '--json'])).stdout) as {
      profiles: Array<{ name: string; state: string }>;
    };
    expect(status.profiles.map((p) => [p.name, p.state])).toEqual([
      ['dev', 'fresh'],
      ['sealer', 'error'],
      ['newline', 'error'],
    ]);
  });

  it('credentials Vault sends that the file cannot hold (a secret key with a space) fail that profile alone', async () => {
    const cli = await user();
    for (const [name, role] of [
      ['dev', 'dev-readonly'],
      ['odd', 'odd'],
    ] as const)
      expect((await cli.run(['profile', 'add', name, '--role', role, '--no-refresh'])).code).toBe(
        0,
      );
    // A Vault (or something in front of it) answering with a value no AWS file can carry.
    stack.vault.injectFault({
      path: 'aws/creds/odd',
      kind: 'status',
      status: 200,
      body: JSON.stringify({
        request_id: 'f2c3e4a5-0000-4000-8000-000000000000',
        lease_id: 'aws/creds/odd/AbCdEfGhIjKlMnOpQrStUvWx',
        renewable: false,
        lease_duration: 3599,
        data: {
          access_key: 'ASIAODDODDODDODDODD1',
          secret_key: 'has a space in it',
          security_token: 'token',
          session_token: 'token',
          ttl: 3599,
        },
        wrap_info: null,
        warnings: null,
        auth: null,
        mount_type: 'aws',
      }),
    });
    const result = await cli.run(['refresh']);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^dev: fresh until /);
    expect(result.stderr).toMatch(/^vault-aws-tray: odd: .*secret/m);
    expect(result.stderr).not.toContain('has a space in it');
    const file = readFileSync(cli.credentialsFile, 'utf8');
    expect(file).toMatch(/^\[dev\]\naws_access_key_id = ASIA/);
    expect(file).not.toContain('[odd]');
    const status = JSON.parse((await cli.run(['status', '--json'])).stdout) as {
      profiles: Array<{ name: string; state: string }>;
    };
    expect(status.profiles.map((p) => [p.name, p.state])).toEqual([
      ['dev', 'fresh'],
      ['odd', 'expired'],
    ]);
  });
});

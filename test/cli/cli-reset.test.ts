import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
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

type Cli = ReturnType<typeof cliHarness>;
const MY_CREDENTIALS = '[mine]\naws_access_key_id = AKIAMINE\naws_secret_access_key = mine\n';
const MY_CONFIG = '[default]\nregion = us-east-1\n\n[profile mine]\nregion = eu-north-1\n';
const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : null);
/** The settings folder and both AWS files, byte for byte. */
const snapshot = (cli: Cli) => ({
  folder: Object.fromEntries(
    readdirSync(cli.configDir).map((name) => [name, read(join(cli.configDir, name))]),
  ),
  credentials: read(cli.credentialsFile),
  config: read(cli.configFile),
});

/** A user with sections of their own, set up from a team file, signed in, a cache written. */
async function inUse(): Promise<{ cli: Cli; token: string }> {
  const cli = cliHarness({ clock });
  mkdirSync(join(cli.home, '.aws'));
  writeFileSync(cli.credentialsFile, MY_CREDENTIALS);
  writeFileSync(cli.configFile, MY_CONFIG);
  const team = {
    vault: { address: stack.vault.url, authMethod: 'token' },
    profiles: { dev: { role: 'dev-readonly', region: STACK_REGION } },
  };
  writeFileSync(join(cli.home, 'team.json'), JSON.stringify(team));
  expect((await cli.run(['setup', 'team.json'])).code).toBe(0);
  const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
  expect(
    (await cli.run(['login', '--method', 'token'], { env: { VAULT_TOKEN: token } })).code,
  ).toBe(0);
  // `env` through the one-shot engine keeps what it read in credentials-cache.json.
  expect(
    (await cli.run(['profile', 'add', 'ci', '--role', 'dev-readonly', '--delivery', 'process']))
      .code,
  ).toBe(0);
  expect((await cli.run(['env', 'ci'])).code).toBe(0);
  return { cli, token };
}

describe('reset', () => {
  it('asks first: without --yes and nobody at the terminal, or answered no, nothing changes', async () => {
    const { cli, token } = await inUse();
    const before = snapshot(cli);
    const refused = await cli.run(['reset']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe(
      [
        'This signs out of Vault (revoking the token) and removes:',
        '  the profiles dev, ci and their sections in the AWS files',
        `  the settings, tokens and caches in ${cli.configDir}`,
        '',
      ].join('\n'),
    );
    expect(refused.stderr).toBe(
      'vault-aws-tray: reset removes all of the above; run again with --yes to do it without asking\n',
    );
    const no = await cli.run(['reset'], { tty: true, stdin: 'n\n' });
    expect([no.code, no.stdout.endsWith('Nothing changed.\n')]).toEqual([0, true]);
    expect(snapshot(cli)).toEqual(before);
    expect(stack.vault.tokens.lookup(token)).toBeDefined();
  });

  it('--yes revokes the token, removes the managed sections and the app’s files, and keeps the user’s', async () => {
    const { cli, token } = await inUse();
    expect(Object.keys(snapshot(cli).folder).sort()).toEqual([
      'config.json',
      'credentials-cache.json',
      'state.json',
      'tokens.json',
    ]);
    const reset = await cli.run(['reset', '--yes']);
    expect([reset.code, reset.stderr]).toEqual([0, '']);
    expect(reset.stdout).toContain(`\nSigned out of ${stack.vault.url}\n`);
    expect(reset.stdout).toContain(
      '\ndev: removed with its sections\nci: removed with its sections\n',
    );
    expect(reset.stdout).toContain(`\nRemoved ${join(cli.configDir, 'config.json')}\n`);

    expect(stack.vault.tokens.lookup(token)).toBeUndefined();
    const lookup = await fetch(`${stack.vault.url}/v1/auth/token/lookup-self`, {
      headers: { 'X-Vault-Token': token },
    });
    expect(lookup.status).toBe(403);
    // The user's text byte for byte; the writer leaves the blank line it put before each of ours.
    for (const [file, mine] of [
      [cli.credentialsFile, MY_CREDENTIALS],
      [cli.configFile, MY_CONFIG],
    ] as const) {
      const left = read(file)!;
      expect(left.slice(0, mine.length)).toBe(mine);
      expect(left.slice(mine.length)).toMatch(/^\n*$/);
    }
    // The folder goes with the files: nothing else was in it.
    expect(existsSync(cli.configDir)).toBe(false);
    expect(readdirSync(join(cli.home, '.aws')).sort()).toEqual(['config', 'credentials']);
  });

  it('keeps the backup of a section the app took over, and says where', async () => {
    const cli = cliHarness({ clock });
    mkdirSync(join(cli.home, '.aws'));
    writeFileSync(
      cli.credentialsFile,
      '[dev]\naws_access_key_id = AKIAMINE\naws_secret_access_key = x\n',
    );
    const team = {
      vault: { address: stack.vault.url, authMethod: 'token' },
      profiles: { dev: { role: 'dev-readonly', adopt: true } },
    };
    writeFileSync(join(cli.home, 'team.json'), JSON.stringify(team));
    expect((await cli.run(['setup', 'team.json'])).code).toBe(0);
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'] });
    expect(
      (await cli.run(['login', '--method', 'token'], { env: { VAULT_TOKEN: token } })).code,
    ).toBe(0);
    const backups = readdirSync(join(cli.home, '.aws')).filter((n) => n.includes('-adopted-'));
    expect(backups).toHaveLength(1);

    const reset = await cli.run(['reset', '--yes']);
    expect(reset.code).toBe(0);
    const backup = join(cli.home, '.aws', backups[0]!);
    expect(reset.stdout).toContain(
      `\nKept ${backup}: your own text from before the app took a profile over\n`,
    );
    expect(read(backup)).toContain('AKIAMINE');
  });
});

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callerArn } from '../support/aws-sdk.js';
import { FakeClock } from '../support/fake-clock.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { makeCertificates, readPem } from '../support/tls.js';
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
const read = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8') : null);
/** The settings file and both AWS files, byte for byte (null: absent). */
const snapshot = (cli: Cli) =>
  [join(cli.configDir, 'config.json'), cli.credentialsFile, cli.configFile].map(read);
const settingsOf = (cli: Cli) =>
  JSON.parse(readFileSync(join(cli.configDir, 'config.json'), 'utf8')) as {
    vault?: Record<string, unknown>;
    profiles: Record<string, Record<string, unknown>>;
  };

/** A team file in the user's home (the harness's cwd), as a platform team hands it out. */
function teamFile(cli: Cli, profiles: Record<string, unknown>, vault: object = {}): string {
  const file = {
    vault: { address: stack.vault.url, authMethod: 'token', ...vault },
    profiles,
  };
  writeFileSync(join(cli.home, 'team.json'), JSON.stringify(file));
  return 'team.json';
}
const DEV = { dev: { role: 'dev-readonly', region: STACK_REGION } };
const token = () =>
  stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 8 * 3600 });
const login = (cli: Cli) =>
  cli.run(['login', '--method', 'token'], { env: { VAULT_TOKEN: token() } });
const arn = (cli: Cli, profile: string) =>
  callerArn({
    endpoint: stack.aws.url,
    profile,
    credentialsFile: cli.credentialsFile,
    configFile: cli.configFile,
    clockOffsetMs: clock.now() - Date.now(),
  });

/** A machine set up from DEV and signed in: dev written. */
async function signedIn(): Promise<Cli> {
  const cli = cliHarness({ clock });
  expect((await cli.run(['setup', teamFile(cli, DEV)])).code).toBe(0);
  expect((await login(cli)).code).toBe(0);
  return cli;
}

describe('setup FILE', () => {
  it('a new machine: setup, then a sign-in writes the profile, and the SDK uses it', async () => {
    const cli = cliHarness({ clock });
    const setup = await cli.run(['setup', teamFile(cli, DEV)]);
    expect(setup).toEqual({
      code: 0,
      stderr: '',
      stdout: [
        `Team settings from ${join(cli.home, 'team.json')}:`,
        '  Vault:',
        `    address: ${stack.vault.url}`,
        '    authMethod: token',
        `  Add profile dev: aws/creds/dev-readonly (region ${STACK_REGION})`,
        `Saved the Vault settings for ${stack.vault.url}`,
        'dev: saved; written when you sign in: run `vault-aws-tray login`',
        '',
      ].join('\n'),
    });
    expect(existsSync(cli.credentialsFile)).toBe(false);
    // No --addr: the address is the team file's.
    const signIn = await login(cli);
    expect([signIn.code, signIn.stderr]).toEqual([0, 'Writing dev with credentials from Vault\n']);
    expect(signIn.stdout).toContain(`Signed in to ${stack.vault.url}`);
    expect(await arn(cli, 'dev')).toMatch(/^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\//);
    expect(read(cli.configFile)).toBe(`[profile dev]\nregion = ${STACK_REGION}\n`);
  });

  it('signed in: new profiles are written at once', async () => {
    const cli = await signedIn();
    const more = { ...DEV, ci: { role: 'dev-readonly', region: STACK_REGION } };
    const setup = await cli.run(['setup', teamFile(cli, more)]);
    expect([setup.code, setup.stderr]).toEqual([0, '']);
    expect(setup.stdout).toMatch(
      /\n {2}Add profile ci: aws\/creds\/dev-readonly \(region eu-west-1\)\n/,
    );
    expect(setup.stdout).toMatch(/\nci: fresh until /);
    expect(await arn(cli, 'ci')).toMatch(/assumed-role\/DevReadOnly\//);
  });

  it('the same file again: nothing to change', async () => {
    const cli = await signedIn();
    const before = snapshot(cli);
    const again = await cli.run(['setup', 'team.json']);
    expect(again.stdout).toBe(
      `Team settings from ${join(cli.home, 'team.json')}:\n  Nothing to change: the settings are already as the file says.\n`,
    );
    expect(snapshot(cli)).toEqual(before);
  });

  it('a change to what exists: refused without --yes and nobody to ask, asked at a terminal', async () => {
    const cli = await signedIn();
    const before = snapshot(cli);
    teamFile(cli, { dev: { role: 'dev-readonly', region: 'us-east-2' } });
    const refused = await cli.run(['setup', 'team.json']);
    expect(refused.code).toBe(1);
    expect(refused.stdout).toContain('  Change profile dev: region: eu-west-1 → us-east-2\n');
    expect(refused.stderr).toBe(
      'vault-aws-tray: the file changes settings or profiles you have; run again with --yes to do it without asking\n',
    );
    expect(snapshot(cli)).toEqual(before);

    const no = await cli.run(['setup', 'team.json'], { tty: true, stdin: 'n\n' });
    expect([no.code, no.stdout.endsWith('Nothing changed.\n')]).toEqual([0, true]);
    expect(snapshot(cli)).toEqual(before);

    const yes = await cli.run(['setup', 'team.json'], { tty: true, stdin: 'y\n' });
    expect([yes.code, yes.stderr]).toEqual([0, '']);
    expect(yes.stdout).toMatch(/\ndev: fresh until /);
    expect(read(cli.configFile)).toBe('[profile dev]\nregion = us-east-2\n');
  });

  it('--yes changes the Vault settings without asking', async () => {
    const cli = await signedIn();
    teamFile(cli, DEV, { authMount: 'tokens' });
    const yes = await cli.run(['setup', 'team.json', '--yes']);
    expect([yes.code, yes.stderr]).toEqual([0, '']);
    expect(yes.stdout).toContain('  Change the Vault settings:\n    authMount: tokens\n');
    expect(settingsOf(cli).vault).toMatchObject({ authMount: 'tokens' });
  });

  it('--prune removes only the profiles the file does not name; without it they are kept', async () => {
    const cli = await signedIn();
    const add = await cli.run(['profile', 'add', 'old', '--role', 'dev-readonly']);
    expect(add.code).toBe(0);
    const kept = await cli.run(['setup', 'team.json']);
    expect(kept.stdout).toBe(
      `Team settings from ${join(cli.home, 'team.json')}:\n  Nothing to change: the settings are already as the file says.\n  Keep old (not in the file; --prune removes them)\n`,
    );
    expect(Object.keys(settingsOf(cli).profiles)).toEqual(['dev', 'old']);

    const pruned = await cli.run(['setup', 'team.json', '--prune', '--yes']);
    expect([pruned.code, pruned.stderr]).toEqual([0, '']);
    expect(pruned.stdout).toContain('  Remove profile old and its sections\n');
    expect(pruned.stdout).toContain('\nold: removed\n');
    expect(Object.keys(settingsOf(cli).profiles)).toEqual(['dev']);
    expect(read(cli.credentialsFile)).toMatch(/^\[dev\]\n/);
    expect(read(cli.credentialsFile)).not.toContain('[old]');
  });

  it('--dry-run says what would change and changes nothing', async () => {
    const cli = await signedIn();
    const before = snapshot(cli);
    teamFile(cli, { ci: { role: 'dev-readonly' } }, { address: 'https://other.example' });
    const dry = await cli.run(['setup', 'team.json', '--dry-run', '--prune']);
    expect([dry.code, dry.stderr]).toEqual([0, '']);
    expect(dry.stdout).toContain(`    address: ${stack.vault.url} → https://other.example\n`);
    expect(dry.stdout).toContain('  Add profile ci: aws/creds/dev-readonly\n');
    expect(dry.stdout).toContain('  Remove profile dev and its sections\n');
    expect(dry.stdout.endsWith('Nothing changed (--dry-run).\n')).toBe(true);
    expect(snapshot(cli)).toEqual(before);
  });

  it('refuses a profile the user has in the AWS files, before any change; "adopt" takes it over', async () => {
    const cli = cliHarness({ clock });
    mkdirSync(join(cli.home, '.aws'));
    const mine = '[dev]\naws_access_key_id = AKIAMINE\naws_secret_access_key = mine\n';
    writeFileSync(cli.credentialsFile, mine);
    const refused = await cli.run(['setup', teamFile(cli, DEV)]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      'vault-aws-tray: profile dev is already in the AWS files and vault-aws-tray does not manage it: remove it there, or set "adopt": true for it in the team file (its current text is then kept in a backup)\nvault-aws-tray: nothing was changed\n',
    );
    expect(existsSync(join(cli.configDir, 'config.json'))).toBe(false);
    expect(read(cli.credentialsFile)).toBe(mine);

    teamFile(cli, { dev: { ...DEV.dev, adopt: true } });
    expect((await cli.run(['setup', 'team.json'])).code).toBe(0);
    expect((await login(cli)).code).toBe(0);
    expect(read(cli.credentialsFile)).not.toContain('AKIAMINE');
    expect(await arn(cli, 'dev')).toMatch(/assumed-role\/DevReadOnly\//);
  });

  it('keeps an inline CA in the settings folder as the saved CA file', async () => {
    const cli = cliHarness({ clock });
    const pem = readPem(makeCertificates().caFile);
    const setup = await cli.run(['setup', teamFile(cli, {}, { caPem: pem })]);
    expect([setup.code, setup.stderr]).toEqual([0, '']);
    const caFile = settingsOf(cli).vault!.caFile as string;
    expect(caFile).toMatch(new RegExp(`^${cli.configDir}/team-ca-[0-9a-f]{16}\\.pem$`));
    expect(setup.stdout).toContain(`  the CA certificates of the file, kept in ${caFile}\n`);
    expect(read(caFile)).toBe(`${pem.trim()}\n`);
    // The same file again changes nothing; other certificates replace the old file.
    const again = await cli.run(['setup', teamFile(cli, {}, { caPem: pem })]);
    expect(again.stdout).toContain('Nothing to change');
    const other = readPem(makeCertificates().caFile);
    const changed = await cli.run(['setup', '--yes', teamFile(cli, {}, { caPem: other })]);
    expect(changed.code).toBe(0);
    const next = settingsOf(cli).vault!.caFile as string;
    expect(next).not.toBe(caFile);
    expect(read(next)).toBe(`${other.trim()}\n`);
    expect(existsSync(caFile)).toBe(false);
  });

  it('refuses a broken file in words naming the field, changing nothing', async () => {
    const cli = cliHarness({ clock });
    const bad = await cli.run(['setup', teamFile(cli, { dev: { role: 'a/b' } })]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe(
      `vault-aws-tray: ${join(cli.home, 'team.json')}: profiles.dev.role: The role may only contain letters, digits, ".", "_", "@" and "-" (one name: no "/", not "." or "..").\n`,
    );
    expect(existsSync(join(cli.configDir, 'config.json'))).toBe(false);
    const missing = await cli.run(['setup', 'nowhere.json']);
    expect(missing).toMatchObject({
      code: 1,
      stderr: `vault-aws-tray: cannot read ${join(cli.home, 'nowhere.json')}: ENOENT\n`,
    });
  });
});

/**
 * `vault-aws-tray console` end to end: the CLI against the test stack, the sign-in URL opened in
 * Debian's Chromium, and the STS emulator's console page (test/support/sts/federation.ts) saying
 * who is signed in. The emulators share a fake clock, so an expired profile is truly expired
 * there: the federation endpoint refuses its keys.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { FakeClock } from '../support/fake-clock.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { AwsEmulator } from '../support/sts/index.js';
import { cliHarness } from '../cli/cli-harness.js';

const DEV_ARN = /^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\/vault-token-/;

let stack: Stack;
let clock: FakeClock;
let browser: Browser;
let page: Page;
let cli: ReturnType<typeof cliHarness>;
/** What the CLI gave the browser to open. */
const handedToBrowser: string[] = [];

const keyOf = (file: string) => /aws_access_key_id = (\S+)/.exec(readFileSync(file, 'utf8'))![1];
/** What a process started on its own writes, once written (tolerates a busy machine: 20 s). */
async function eventually<T>(read: () => T): Promise<T> {
  const end = Date.now() + 20_000;
  for (;;) {
    try {
      return read();
    } catch (error) {
      if (Date.now() > end) throw error;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
const field = (id: string) => page.locator(`#${id}`).textContent();

beforeAll(async () => {
  clock = new FakeClock();
  stack = await startStack({ clock });
  browser = await launchChromium();
  page = await browser.newPage();
  cli = cliHarness({
    clock,
    env: { VAULT_AWS_TRAY_FEDERATION_URL: stack.aws.federationUrl },
    browser: {
      open: async (url) => {
        handedToBrowser.push(url);
        await page.goto(url);
      },
    },
  });
  const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 8 * 3600 });
  const login = await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
    env: { VAULT_TOKEN: token },
  });
  expect(login.code).toBe(0);
  const add = await cli.run([
    'profile',
    'add',
    'dev',
    '--role',
    'dev-readonly',
    '--region',
    STACK_REGION,
    '--ttl',
    '1h',
  ]);
  expect(add).toMatchObject({ code: 0, stderr: '' });
});
afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

describe('console', () => {
  it('--print: one line on stdout that Chromium opens as the console signed in as dev', async () => {
    const printed = await cli.run(['console', '--print']);
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    const lines = printed.stdout.split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toBe('');
    const url = new URL(lines[0]!);
    expect(url.origin + url.pathname).toBe(stack.aws.federationUrl);
    expect(url.searchParams.get('Action')).toBe('login');
    expect(url.searchParams.get('Issuer')).toBe('vault-aws-tray');

    await page.goto(url.href);
    expect(new URL(page.url()).pathname).toBe('/console');
    expect(await field('arn')).toMatch(DEV_ARN);
    expect(await field('region')).toBe(STACK_REGION);
    expect(await field('destination')).toBe(
      `https://${STACK_REGION}.console.aws.amazon.com/console/home?region=${STACK_REGION}`,
    );
    // The token was exchanged with the keys in the credentials file, and no SessionDuration.
    const exchange = stack.aws.requests.filter((r) => r.action === 'getSigninToken').at(-1)!;
    expect(exchange).toMatchObject({ status: 200, accessKeyId: keyOf(cli.credentialsFile) });
    // Console sessions end with the role session (no SessionDuration was sent).
    const status = JSON.parse((await cli.run(['status', '--json'])).stdout) as {
      profiles: Array<{ expiresAt: string }>;
    };
    // (STS's expiry and the profile's may differ by a second of rounding.)
    const ends = Date.parse((await field('expires'))!);
    expect(Math.abs(ends - Date.parse(status.profiles[0]!.expiresAt))).toBeLessThanOrEqual(2000);
  });

  it('--destination and --region choose the page: a service path, another partition', async () => {
    const s3 = await cli.run(['console', 'dev', '--print', '--destination', 's3']);
    expect(s3.code).toBe(0);
    await page.goto(s3.stdout.trim());
    expect(await field('destination')).toBe(
      `https://${STACK_REGION}.console.aws.amazon.com/s3/home?region=${STACK_REGION}`,
    );
    const china = await cli.run([
      'console',
      'dev',
      '--print',
      '--region',
      'cn-north-1',
      '--destination',
      'ec2/home',
    ]);
    expect(china.code).toBe(0);
    await page.goto(china.stdout.trim());
    expect(await field('destination')).toBe(
      'https://cn-north-1.console.amazonaws.cn/ec2/home?region=cn-north-1',
    );
    expect(await field('region')).toBe('cn-north-1');
  });

  it('an expired profile gets fresh credentials from Vault before the sign-in', async () => {
    const before = keyOf(cli.credentialsFile);
    clock.advance(61 * 60_000);
    const printed = await cli.run(['console', 'dev', '--print']);
    expect(printed).toMatchObject({ code: 0, stderr: '' });
    const after = keyOf(cli.credentialsFile);
    expect(after).not.toBe(before);
    const exchange = stack.aws.requests.filter((r) => r.action === 'getSigninToken').at(-1)!;
    expect(exchange).toMatchObject({ status: 200, accessKeyId: after });
    await page.goto(printed.stdout.trim());
    expect(await field('arn')).toMatch(DEV_ARN);
  });

  it('without --print: the browser gets a one-shot loopback redirect, used once', async () => {
    const opened = await cli.run(['console', 'dev']);
    expect(opened).toMatchObject({ code: 0, stdout: '' });
    expect(opened.stderr).toBe('Opening the AWS console as dev in the browser…\n');
    expect(await field('arn')).toMatch(DEV_ARN);
    // Chromium was given a random path on 127.0.0.1, which answered once and is gone.
    expect(handedToBrowser).toHaveLength(1);
    expect(handedToBrowser[0]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]{32}$/);
    await expect(fetch(handedToBrowser[0]!)).rejects.toThrow();
  });

  it('--browser runs the command with the redirect, never the sign-in URL, in its arguments', async () => {
    const argsFile = join(cli.home, 'browser-args.json');
    const script = join(cli.home, 'fake-browser.mjs');
    // A browser as small as it gets: note its arguments, then visit the URL it was given.
    writeFileSync(
      script,
      `import { writeFileSync } from 'node:fs';\n` +
        `writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)));\n` +
        `const res = await fetch(process.argv.at(-1), { redirect: 'manual' });\n` +
        `writeFileSync(${JSON.stringify(argsFile)} + '.location', res.headers.get('location') ?? '');\n`,
    );
    chmodSync(script, 0o700);
    const run = await cli.run([
      'console',
      'dev',
      '--browser',
      `${process.execPath} ${script} --new-window {url}`,
    ]);
    expect(run.code).toBe(0);
    const args = JSON.parse(readFileSync(argsFile, 'utf8')) as string[];
    expect(args[0]).toBe('--new-window');
    expect(args[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/[\w-]{32}$/);
    expect(args.join(' ')).not.toMatch(/SigninToken|federation/);
    // The command is not waited for: the redirect was served, its answer may still be on its way.
    const location = await eventually(() => readFileSync(`${argsFile}.location`, 'utf8'));
    expect(new URL(location).searchParams.get('Action')).toBe('login');
    await expect(fetch(args[1]!)).rejects.toThrow();
  });

  it('a refused sign-in token request is said in words, and nothing is printed', async () => {
    // Another AWS that never issued these keys refuses them, as AWS refuses revoked keys.
    const other = await AwsEmulator.start({ clock });
    try {
      const refused = await cli.run(['console', 'dev', '--print'], {
        env: { VAULT_AWS_TRAY_FEDERATION_URL: other.federationUrl },
      });
      expect(refused.code).not.toBe(0);
      expect(refused.stdout).toBe('');
      expect(refused.stderr).toMatch(
        /^vault-aws-tray: the AWS sign-in endpoint 127\.0\.0\.1:\d+ refused the console sign-in: it does not accept these credentials for the console \(expired, revoked, or of a kind it cannot sign in, such as IAM user keys\) \(HTTP Status 400 - Invalid credentials parameter.*\)\n$/,
      );
      expect(refused.stderr.split('\n')).toHaveLength(2);
    } finally {
      await other.stop();
    }
  });

  it('picks the only profile, else AWS_PROFILE, else names the choices', async () => {
    const add = await cli.run(['profile', 'add', 'ops', '--role', 'dev-readonly']);
    expect(add.code).toBe(0);
    const which = await cli.run(['console', '--print']);
    expect(which).toMatchObject({ code: 2, stdout: '' });
    expect(which.stderr).toMatch(/which profile\? name one of dev, ops \(or set AWS_PROFILE\)/);
    const fromEnv = await cli.run(['console', '--print'], { env: { AWS_PROFILE: 'ops' } });
    expect(fromEnv.code).toBe(0);
    const exchange = stack.aws.requests.filter((r) => r.action === 'getSigninToken').at(-1)!;
    const opsKey = /\[ops\]\naws_access_key_id = (\S+)/.exec(
      readFileSync(cli.credentialsFile, 'utf8'),
    )![1];
    expect(exchange.accessKeyId).toBe(opsKey);
    const unknown = await cli.run(['console', 'nope', '--print']);
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toMatch(/no managed profile named nope/);
    const badRegion = await cli.run(['console', 'dev', '--print', '--region', 'Mars']);
    expect(badRegion).toMatchObject({ code: 2, stdout: '' });
  });
});

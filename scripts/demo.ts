/**
 * `npm run demo`: builds, starts the stack (`npm run stack`) and runs the built `vault-aws-tray`
 * as a user would: sign in through the company's OpenID provider in the browser, add profile
 * `demo` for Vault role `dev-readonly`, refresh, status, and finally `/usr/bin/aws sts
 * get-caller-identity --profile demo` against the stack's STS; then `vault-aws-tray daemon` keeps
 * profile `live` (Vault role `dev-short`, 10-second credentials) fresh for two refreshes and is
 * stopped with Ctrl-C (SIGINT). The browser is played by the
 * plain-HTTP driver, or by headless Chromium with `--browser`. Everything runs on loopback and
 * writes only to a sandbox folder, never to the user's ~/.aws.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { browserCommand } from '../test/support/browser-command.js';
import { startDaemon } from '../test/support/daemon-process.js';
import { freePort } from '../test/support/ports.js';
import { startStackProcess } from '../test/support/stack-process.js';

const AWS_CLI = '/usr/bin/aws';
const BIN = 'bin/vault-aws-tray.cjs';
const run = promisify(execFile);
const say = (text: string) => process.stdout.write(`${text}\n`);
const step = (command: string) => say(`\n$ ${command}`);

/** Runs the built CLI as a user would type it, printing the command and what it said. */
async function app(args: string[], env: Record<string, string | undefined>): Promise<void> {
  step(`vault-aws-tray ${args.join(' ')}`);
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env });
    for (const text of [stderr, stdout]) if (text.trim()) say(text.trimEnd().replace(/^/gm, '  '));
  } catch (error) {
    const { stderr, code } = error as { stderr?: string; code?: number };
    throw new Error(`vault-aws-tray ${args[0]} exited with ${code}: ${stderr?.trim() ?? ''}`, {
      cause: error,
    });
  }
}

async function main(): Promise<void> {
  const useChromium = process.argv.includes('--browser');
  if (!existsSync('out/node/cli/main.js'))
    throw new Error('the CLI is not built: run `npm run build`');
  if (!existsSync(AWS_CLI))
    throw new Error(`${AWS_CLI} is missing: apt-get install -y --no-install-recommends awscli`);
  step('npm run stack');
  // The command behind `npm run stack`, run directly so that stopping it stops the servers.
  const stack = await startStackProcess(['--short-creds', '10']);
  const { info } = stack;
  try {
    say(
      `  Vault ${info.vault.version} at ${info.vault.addr}, STS at ${info.sts.endpoint}, OpenID provider at ${info.idp.issuer}`,
    );
    const user = info.idp.users[0]!;
    const browser = browserCommand({
      with: useChromium ? 'chromium' : 'http',
      email: user.email,
      password: user.password,
    });
    const sandbox = mkdtempSync(join(tmpdir(), 'vault-aws-tray-demo-'));
    const env = {
      PATH: process.env.PATH,
      HOME: sandbox,
      BROWSER: browser.command,
      VAULT_ADDR: info.vault.addr,
      VAULT_AWS_TRAY_CONFIG_DIR: join(sandbox, 'settings'),
      AWS_SHARED_CREDENTIALS_FILE: join(sandbox, 'aws', 'credentials'),
      AWS_CONFIG_FILE: join(sandbox, 'aws', 'config'),
    };
    say(
      `  (a sandbox: the AWS files are ${env.AWS_SHARED_CREDENTIALS_FILE} and ${env.AWS_CONFIG_FILE};`,
    );
    say(
      `   the browser is ${useChromium ? 'headless Chromium' : 'a plain-HTTP driver'} signing in as ${user.email})`,
    );

    // Any free port: Vault ignores the port of a loopback redirect URI, in case 8250 is taken here.
    await app(['login', '--method', 'oidc', '--port', String(await freePort())], env);
    await app(
      ['profile', 'add', 'demo', '--role', 'dev-readonly', '--region', info.sts.region],
      env,
    );
    await app(['refresh'], env);
    await app(['status'], env);

    step(`aws sts get-caller-identity --profile demo --endpoint-url ${info.sts.endpoint}`);
    const { stdout } = await run(
      AWS_CLI,
      [
        'sts',
        'get-caller-identity',
        '--profile',
        'demo',
        '--endpoint-url',
        info.sts.endpoint,
        '--output',
        'json',
      ],
      { env },
    );
    say(`  Arn: ${(JSON.parse(stdout) as { Arn: string }).Arn}`);

    // The daemon keeps profiles fresh on its own; a role of 10-second credentials shows it live.
    await app(['profile', 'add', 'live', '--role', 'dev-short'], env);
    step('vault-aws-tray daemon    (stopped with Ctrl-C after two refreshes on schedule)');
    const daemon = startDaemon(env, {
      onStderr: (text) => process.stdout.write(text.replace(/^(?=.)/gm, '  ')),
    });
    const keys: string[] = [];
    for (let nth = 1; nth <= 3; nth++) {
      await daemon.waitFor(/ live: refreshed/, { nth, timeoutMs: 30_000 });
      const file = readFileSync(env.AWS_SHARED_CREDENTIALS_FILE, 'utf8');
      keys.push(/\[live\]\naws_access_key_id = (\S+)/.exec(file)?.[1] ?? '?');
    }
    daemon.child.kill('SIGINT');
    const code = await daemon.exited;
    if (code !== 0) throw new Error(`the daemon exited with ${code}`);
    say(`  (profile live's access key went ${keys.join(' → ')}; the daemon exited with 0)`);
    say(
      '\nThe profiles hold short-lived keys from Vault; `vault-aws-tray daemon` (or the tray app) renews them before they expire.',
    );
  } finally {
    await stack.stop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`demo failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});

import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { devReads, installedCli, tokenLogin } from '../support/installed-cli.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';

const run = promisify(execFile);
const AWS_CLI = '/usr/bin/aws';
const DIST = join('dist', `vault-aws-tray-linux-${process.arch}`);
const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };

let stack: Stack;
let work: string;
let binary: string;

// `npm run dist:cli` is not part of `npm run build`: the test makes the binary itself. It takes
// about 5 s here (bundle, blob, copying and injecting into a 100 MB node); 300 s for a loaded
// machine.
beforeAll(async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  await run('npm', ['run', '--silent', 'dist:cli'], { env });
  // A copy in a folder of its own, far from the checkout: the binary has nothing to lean on,
  // and the credential_process line must name the copy.
  work = mkdtempSync(join(tmpdir(), 'standalone-cli-'));
  mkdirSync(join(work, 'bin'));
  binary = join(work, 'bin', 'vault-aws-tray');
  copyFileSync(DIST, binary);
  stack = await startStack();
}, 300_000);

afterAll(async () => {
  await stack?.stop();
  // The copy is 100 MB.
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the single executable of `npm run dist:cli`', () => {
  it('comes with a checksum that sha256sum -c accepts', async () => {
    const line = readFileSync(`${DIST}.sha256`, 'utf8');
    const sum = createHash('sha256').update(readFileSync(DIST)).digest('hex');
    expect(line).toBe(`${sum}  vault-aws-tray-linux-${process.arch}\n`);
    const check = await run('sha256sum', ['-c', `vault-aws-tray-linux-${process.arch}.sha256`], {
      cwd: 'dist',
    });
    expect(check.stdout).toBe(`vault-aws-tray-linux-${process.arch}: OK\n`);
  });

  // About a dozen runs of the binary and of /usr/bin/aws (about 0.3 s and 1 s each); 180 s for
  // a loaded machine.
  it('serves every command without node or node_modules, and /usr/bin/aws runs its credential_process line', async () => {
    // Found on a PATH that holds it alone (no node), by its name as a shell runs it: its argv
    // then has the bare name, and only the executable's own path makes a usable line.
    const path = dirname(binary);
    const cli = installedCli('vault-aws-tray', { path });
    await expect(run('/usr/bin/which', ['node'], { env: { PATH: path } })).rejects.toThrow();
    const above: string[] = [];
    for (let dir = dirname(binary); dir !== dirname(dir); dir = dirname(dir)) above.push(dir);
    expect([...above, '/'].filter((dir) => existsSync(join(dir, 'node_modules')))).toEqual([]);

    expect(await cli.run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
    expect(await tokenLogin(cli, stack)).toMatchObject({ code: 0, stderr: '' });
    const add = await cli.run([
      'profile',
      'add',
      'dev',
      '--role',
      'dev-readonly',
      '--region',
      STACK_REGION,
      '--delivery',
      'process',
      '--no-refresh',
    ]);
    expect(add).toMatchObject({ code: 0, stderr: '' });
    const refresh = await cli.run(['refresh']);
    expect(refresh).toMatchObject({ code: 0, stderr: '' });
    expect(refresh.stdout).toMatch(/^dev: fresh until /);
    // The binary names itself (not Node, not a script), and the folder it was given.
    expect(readFileSync(cli.configFile, 'utf8')).toBe(
      `[profile dev]\nregion = ${STACK_REGION}\ncredential_process = ${binary} --config-dir ${cli.configDir} credential-process dev\n`,
    );

    const aws = async () => {
      const { stdout } = await run(
        AWS_CLI,
        ['sts', 'get-caller-identity', '--profile', 'dev', '--endpoint-url', stack.aws.url],
        { env: { ...cli.env, AWS_EC2_METADATA_DISABLED: 'true' } },
      );
      return (JSON.parse(stdout) as { Arn: string }).Arn;
    };
    const credentials = (answer: { code: number; stdout: string; stderr: string }) => {
      expect(answer).toMatchObject({ code: 0, stderr: '' });
      return JSON.parse(answer.stdout) as { Version: number; AccessKeyId: string };
    };

    // Warm: the daemon of the binary runs (its socket through process.getBuiltinModule), and
    // the credential cache is there; nothing is read from Vault.
    const daemon = await cli.daemon();
    try {
      const status = JSON.parse((await cli.run(['status', '--json'])).stdout) as {
        engine: string;
        profiles: Array<{ name: string; state: string }>;
      };
      expect(status.engine).toBe('daemon');
      expect(status.profiles).toEqual([expect.objectContaining({ name: 'dev', state: 'fresh' })]);
      const reads = devReads(stack);
      expect(credentials(await cli.run(['credential-process', 'dev'])).Version).toBe(1);
      expect(await aws()).toMatch(/^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\//);
      expect(devReads(stack)).toBe(reads);
    } finally {
      expect(await daemon.stop()).toBe(0);
    }

    // Cold: no engine and no cache, so the full CLI in the bundle reads Vault itself, once.
    const cache = join(cli.configDir, 'credentials-cache.json');
    rmSync(cache);
    const reads = devReads(stack);
    expect(credentials(await cli.run(['credential-process', 'dev'])).AccessKeyId).toMatch(/^ASIA/);
    expect(devReads(stack)).toBe(reads + 1);
    expect(existsSync(cache)).toBe(true);
    expect(await aws()).toMatch(/assumed-role\/DevReadOnly\//);
    expect(devReads(stack)).toBe(reads + 1);
  }, 180_000);
});

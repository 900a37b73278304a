import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.js';
import { cliHarness } from './cli-harness.js';

const execFileAsync = promisify(execFile);

describe('the CLI front door', () => {
  const cli = cliHarness({ clock: new FakeClock() });

  it('--version prints the version; --help shows the commands and the settings folder in use', async () => {
    expect(await cli.run(['--version'])).toEqual({ code: 0, stdout: '0.0.0-test\n', stderr: '' });
    const help = await cli.run(['--help', '--config-dir', '/tmp/cfg']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('now /tmp/cfg');
    expect(help.stdout).toContain('exit codes: 0 ok, 1 failure, 2 usage error, 3 sign-in needed');
    expect((await cli.run(['help'])).stdout).toContain(`now ${cli.configDir}`);
  });

  it('a usage error is one line on stderr and exit code 2', async () => {
    expect(await cli.run(['frobnicate'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'vault-aws-tray: unknown command "frobnicate" (see --help)\n',
    });
    const badFlag = await cli.run(['--nope']);
    expect(badFlag).toEqual({
      code: 2,
      stdout: '',
      stderr: 'vault-aws-tray: unknown option --nope (see --help)\n',
    });
    expect((await cli.run([])).code).toBe(2);
  });

  it('the bin runs the compiled JavaScript (npm run build makes it)', async () => {
    expect(existsSync('out/node/cli/main.js'), 'run `npm run build` before the tests').toBe(true);
    const { stdout } = await execFileAsync(process.execPath, [
      'bin/vault-aws-tray.cjs',
      '--version',
    ]);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const failed = await execFileAsync(process.execPath, ['bin/vault-aws-tray.cjs', 'nope']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({
      code: 2,
      stderr: 'vault-aws-tray: unknown command "nope" (see --help)\n',
    });
  });

  it('credential-process loads one bundled file and only node:fs and node:path, and node:net only to ask an engine', () => {
    const bundle = readFileSync('out/node/cli/credential-process-fast.cjs', 'utf8');
    const required = [...bundle.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(new Set(required)).toEqual(new Set(['node:fs', 'node:path']));
    const lazy = [...bundle.matchAll(/getBuiltinModule\("([^"]+)"\)/g)].map((m) => m[1]);
    expect(lazy).toEqual(['node:net']);
    // No settings schema, no HTTP client (docs/architecture.md "Contracts").
    expect(bundle).not.toMatch(/zod|node:https?"|import\(/);
  });
});

import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { EXIT, run } from '../../src/cli/run.js';

const execFileAsync = promisify(execFile);

function capture(args: string[], env: Record<string, string | undefined> = {}) {
  let stdout = '';
  let stderr = '';
  const code = run(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    platform: 'linux',
    env,
    homedir: '/home/dev',
    version: '9.9.9',
  });
  return { code, stdout, stderr };
}

describe('the CLI front door', () => {
  it('--version prints the version; --help shows the settings folder it would use', () => {
    expect(capture(['--version'])).toEqual({ code: EXIT.ok, stdout: '9.9.9\n', stderr: '' });
    const help = capture(['--help', '--config-dir', '/tmp/cfg']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toContain('now: /tmp/cfg');
    expect(capture(['--help'], { VAULT_AWS_TRAY_CONFIG_DIR: '/env/cfg' }).stdout).toContain(
      'now: /env/cfg',
    );
  });

  it('a usage error is one line on stderr and exit code 2', () => {
    const unknown = capture(['frobnicate']);
    expect(unknown).toEqual({
      code: EXIT.usage,
      stdout: '',
      stderr: 'vault-aws-tray: unknown command "frobnicate" (see --help)\n',
    });
    const badFlag = capture(['--nope']);
    expect(badFlag.code).toBe(EXIT.usage);
    expect(badFlag.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('the bin runs the compiled JavaScript (npm run build makes it)', async () => {
    expect(existsSync('out/node/cli/main.js'), 'run `npm run build` before the tests').toBe(true);
    const { stdout } = await execFileAsync(process.execPath, [
      'bin/vault-aws-tray.js',
      '--version',
    ]);
    expect(stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    const failed = await execFileAsync(process.execPath, ['bin/vault-aws-tray.js', 'nope']).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(failed).toMatchObject({
      code: 2,
      stderr: 'vault-aws-tray: unknown command "nope" (see --help)\n',
    });
  });
});

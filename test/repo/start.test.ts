import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);

describe('npm start where Electron cannot run', () => {
  it('says why in one line and points to the daemon, without trying to download anything', async () => {
    const failed = await run(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    }).catch((error: { code: number; stdout: string; stderr: string }) => error);
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    const stderr = (failed as { stderr: string }).stderr;
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(
      /^vault-aws-tray: the Electron binary is not installed .*vault-aws-tray daemon/,
    );
  });
});

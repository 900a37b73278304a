import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { credentialProcessLine } from '../../../src/core/aws/credential-process-line.js';
import { CredentialsFileError } from '../../../src/core/aws/errors.js';

function refusal(executable: string, profile: string, platform: NodeJS.Platform = 'linux') {
  try {
    credentialProcessLine(executable, profile, platform);
  } catch (error) {
    expect(error).toBeInstanceOf(CredentialsFileError);
    return error as CredentialsFileError;
  }
  throw new Error(`accepted ${executable} ${profile}`);
}

describe('credentialProcessLine', () => {
  it('puts the helper, the subcommand and the profile on one line', () => {
    expect(credentialProcessLine('/usr/local/bin/vault-aws-tray', 'dev.eu-west_1', 'linux')).toBe(
      '/usr/local/bin/vault-aws-tray credential-process dev.eu-west_1',
    );
    expect(credentialProcessLine('C:\\Tools\\vault-aws-tray.cmd', 'default', 'win32')).toBe(
      'C:\\Tools\\vault-aws-tray.cmd credential-process default',
    );
  });

  it('reads as the same three words to sh and to botocore’s split without a shell', () => {
    const line = credentialProcessLine('/opt/v-a_t.1:x/bin/vat', 'a.b_c-d', 'linux');
    const words = '/opt/v-a_t.1:x/bin/vat\ncredential-process\na.b_c-d\n';
    const sh = execFileSync('/bin/sh', ['-c', `printf '%s\\n' ${line}`], { encoding: 'utf8' });
    const split = 'import shlex, sys; print("\\n".join(shlex.split(sys.argv[1])))';
    const shlex = execFileSync('python3', ['-c', split, line], { encoding: 'utf8' });
    expect([sh, shlex]).toEqual([words, words]);
  });

  it('refuses a path that is not absolute', () => {
    for (const [path, platform] of [
      ['vault-aws-tray', 'linux'],
      ['bin/vault-aws-tray', 'linux'],
      ['~/bin/vault-aws-tray', 'darwin'],
      ['$HOME/bin/vault-aws-tray', 'linux'],
      ['C:\\Tools\\vat.cmd', 'linux'],
      ['vat.cmd', 'win32'],
      ['\\Tools\\vat.cmd', 'win32'],
      ['%LOCALAPPDATA%\\vat.cmd', 'win32'],
    ] as const) {
      const error = refusal(path, 'dev', platform);
      expect(error.kind).toBe('unsafe-command');
      expect(error.message).toContain('is not absolute');
    }
  });

  it('refuses characters a shell or a no-shell split would read differently, suggesting a symlink', () => {
    for (const [path, platform] of [
      ['/Applications/Vault AWS Tray.app/Contents/MacOS/cli', 'darwin'],
      ['/opt/"vat"/bin/cli', 'linux'],
      ["/opt/it's/cli", 'linux'],
      ['/opt/$dir/cli', 'linux'],
      ['/opt/~me/cli', 'linux'],
      ['/opt/a%b/cli', 'linux'],
      ['/opt/a;b/cli', 'linux'],
      ['/opt/a&b/cli', 'linux'],
      ['/opt/a`b`/cli', 'linux'],
      ['/opt/a\\b/cli', 'linux'],
      ['/opt/é/cli', 'linux'],
      ['/opt/cli\n', 'linux'],
      ['C:\\Program Files\\vat\\vat.cmd', 'win32'],
      ['C:\\Users\\x\\%USERNAME%\\vat.cmd', 'win32'],
      ['C:\\a^b\\vat.cmd', 'win32'],
      ['C:/Tools/vat.cmd', 'win32'],
    ] as const) {
      const error = refusal(path, 'dev', platform);
      expect(error.kind).toBe('unsafe-command');
      expect(error.message).toContain('e.g. a symlink at');
    }
    expect(refusal('/a b/cli', 'dev').message).toBe(
      'The helper path "/a b/cli" cannot go into credential_process: only letters, digits, ".", "_", "-" and "/" mean the same to every SDK. Use a path without spaces or other characters, e.g. a symlink at /usr/local/bin/vault-aws-tray.',
    );
  });

  it('refuses a profile name that is invalid or would read as an option', () => {
    for (const profile of ['', 'my profile', 'a$b', "it's", 'DEFAULT', '-dev', '--help']) {
      expect(refusal('/usr/bin/vat', profile).kind).toBe('invalid-profile-name');
    }
  });
});

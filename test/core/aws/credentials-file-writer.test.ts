import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import fc from 'fast-check';
import * as fsPromises from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialsFileWriter,
  type CredentialsFileWriterOptions,
  type FileProfileUpdate,
  type ProcessProfileUpdate,
  type ProfileUpdate,
} from '../../../src/core/aws/credentials-file-writer.js';
import { CredentialsFileError } from '../../../src/core/aws/errors.js';
import { parseIni } from '../../../src/core/aws/ini-document.js';
import {
  IniEditor,
  configEntries,
  configSectionName,
  credentialEntries,
  type Entry,
} from '../../../src/core/aws/managed-sections.js';
import { nodeFs, type WriterFs } from '../../../src/core/aws/writer-fs.js';
import { generatedFile } from './support/ini-corpus.js';

let dir: string;
let credentialsFile: string;
let configFile: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'vat-writer-'));
  credentialsFile = path.join(dir, 'aws', 'credentials');
  configFile = path.join(dir, 'aws', 'config');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writer = (options: Partial<CredentialsFileWriterOptions> = {}): CredentialsFileWriter =>
  new CredentialsFileWriter({
    paths: { credentialsFile, configFile },
    lockWaitMs: 2_000,
    ...options,
  });

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCY';
type Settings = Pick<ProfileUpdate, 'region' | 'output'>;
function update(profile: string, n = 1, extra: Settings = {}): FileProfileUpdate {
  return {
    profile,
    credentials: {
      accessKeyId: `AKIA${profile.toUpperCase().replace(/[^A-Z]/g, '')}${n}`,
      secretAccessKey: `${SECRET}${n}`,
      sessionToken: `FwoGZXIvYXdzE${n}==`,
      expiresAt: new Date(Date.UTC(2030, 0, 1, 0, n)),
    },
    ...extra,
  };
}

function seed(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text, { mode: 0o644 });
}

/** Everything a refusal must leave as it was. */
function state(file: string): unknown {
  const stat = statSync(file, { bigint: true });
  return {
    bytes: readFileSync(file).toString('base64'),
    mode: stat.mode,
    ino: stat.ino,
    mtimeNs: stat.mtimeNs,
    folder: readdirSync(path.dirname(file)).sort(),
  };
}

async function refusal(promise: Promise<unknown>): Promise<CredentialsFileError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CredentialsFileError);
  return error as CredentialsFileError;
}

const read = (file: string): string => readFileSync(file, 'utf8');

describe('CredentialsFileWriter.applyProfiles', () => {
  it('writes a batch of profiles in one go: 0600 files in a new 0700 folder', async () => {
    const report = await writer().applyProfiles([
      update('dev', 1, { region: 'eu-west-1', output: 'json' }),
      update('default', 1, { region: 'us-east-1' }),
    ]);
    expect(report).toEqual({ written: [credentialsFile, configFile], backups: [], shadowing: [] });
    expect(statSync(path.dirname(credentialsFile)).mode & 0o777).toBe(0o700);
    expect(statSync(credentialsFile).mode & 0o777).toBe(0o600);
    expect(statSync(configFile).mode & 0o777).toBe(0o600);
    expect(read(credentialsFile)).toBe(
      [
        '[dev]',
        'aws_access_key_id = AKIADEV1',
        `aws_secret_access_key = ${SECRET}1`,
        'aws_session_token = FwoGZXIvYXdzE1==',
        'x_security_token_expires = 2030-01-01T00:01:00Z',
        '',
        '[default]',
        'aws_access_key_id = AKIADEFAULT1',
        `aws_secret_access_key = ${SECRET}1`,
        'aws_session_token = FwoGZXIvYXdzE1==',
        'x_security_token_expires = 2030-01-01T00:01:00Z',
        '',
      ].join('\n'),
    );
    expect(read(configFile)).toBe(
      '[profile dev]\nregion = eu-west-1\noutput = json\n\n[default]\nregion = us-east-1\n',
    );
    expect(readdirSync(path.dirname(credentialsFile)).sort()).toEqual(['config', 'credentials']);
  });

  it('keeps the previous content in one rolling 0600 backup', async () => {
    seed(credentialsFile, '# mine\n[other]\naws_access_key_id = X\n');
    const first = await writer().applyProfiles([update('dev', 1)]);
    const backup = `${credentialsFile}.vault-aws-tray.bak`;
    expect(first.backups).toEqual([backup]);
    expect(read(backup)).toBe('# mine\n[other]\naws_access_key_id = X\n');
    expect(statSync(backup).mode & 0o777).toBe(0o600);
    const before = read(credentialsFile);
    await writer().applyProfiles([update('dev', 2)]);
    expect(read(backup)).toBe(before);
    expect(
      readdirSync(path.dirname(credentialsFile)).filter((n) => n.includes('.bak')),
    ).toHaveLength(1);
  });

  it('writes nothing when nothing changes', async () => {
    await writer().applyProfiles([update('dev', 1)]);
    const before = state(credentialsFile);
    const report = await writer().applyProfiles([update('dev', 1)]);
    expect(report.written).toEqual([]);
    expect(state(credentialsFile)).toEqual(before);
  });

  it('moves key material out of the profile’s config section and reports what still shadows it', async () => {
    seed(
      configFile,
      '[profile dev]\naws_access_key_id = STATIC\nrole_arn = arn:aws:iam::1:role/r\n',
    );
    const report = await writer().applyProfiles([update('dev', 1)]);
    expect(read(configFile)).toBe('[profile dev]\nrole_arn = arn:aws:iam::1:role/r\n');
    expect(report.shadowing.map((f) => [f.kind, f.file, f.line])).toEqual([
      ['assume-role', configFile, 2],
    ]);
  });

  it('writes through a symlink to its target, and keeps the link', async () => {
    const real = path.join(dir, 'dotfiles', 'aws-credentials');
    seed(real, '[other]\nk = v\n');
    mkdirSync(path.dirname(credentialsFile), { recursive: true });
    symlinkSync(real, credentialsFile);
    const dangling = path.join(dir, 'dotfiles', 'not-yet', 'config');
    symlinkSync(dangling, configFile);
    const report = await writer().applyProfiles([update('dev', 1, { region: 'eu-west-1' })]);
    expect(report.written).toEqual([real, dangling]);
    expect(readdirSync(path.dirname(credentialsFile)).sort()).toEqual(['config', 'credentials']);
    expect(read(credentialsFile)).toContain('[other]\nk = v\n\n[dev]\n');
    expect(read(dangling)).toBe('[profile dev]\nregion = eu-west-1\n');
  });

  it('writes in place when asked: same inode, with the backup written first', async () => {
    seed(credentialsFile, '[other]\nk = v\n');
    const ino = statSync(credentialsFile).ino;
    await writer({ inPlace: true }).applyProfiles([update('dev', 1)]);
    expect(statSync(credentialsFile).ino).toBe(ino);
    expect(read(credentialsFile)).toContain('[dev]\naws_access_key_id = AKIADEV1\n');
    expect(read(`${credentialsFile}.vault-aws-tray.bak`)).toBe('[other]\nk = v\n');
    // A shorter content leaves no tail of the old one.
    await writer({ inPlace: true }).removeProfile('dev');
    expect(read(credentialsFile)).toBe('[other]\nk = v\n\n');
  });
});

describe('on generated files', () => {
  it('writes to disk exactly what the line editor computes, for both files', async () => {
    await fc.assert(
      fc.asyncProperty(
        generatedFile('credentials'),
        generatedFile('config'),
        async (creds, config) => {
          seed(credentialsFile, creds.text);
          seed(configFile, config.text);
          const profile = creds.profile;
          const input = update(profile, 7, { region: 'eu-west-1' });
          await writer().applyProfiles([input]);
          const expected = (text: string, section: string, entries: readonly Entry[]): string => {
            const editor = new IniEditor(parseIni(text));
            editor.setEntries(section, entries);
            return editor.toText();
          };
          expect(read(credentialsFile)).toBe(
            expected(creds.text, profile, credentialEntries(input.credentials)),
          );
          expect(read(configFile)).toBe(
            expected(config.text, configSectionName(profile), configEntries(input)),
          );
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('refusals leave the files exactly as they were', () => {
  const broken = '[a]\naws_access_key_id = AKIAOLD\n[b]\nk = v\n[a]\nx = y\n';

  it('refuses a file that breaks botocore’s rules, naming the file, line and rule', async () => {
    seed(credentialsFile, broken);
    const before = state(credentialsFile);
    const error = await refusal(writer().applyProfiles([update('dev', 1)]));
    expect(error.kind).toBe('broken-file');
    expect([error.file, error.line, error.rule]).toEqual([credentialsFile, 5, 'duplicate-section']);
    expect(error.message).toBe(
      `${credentialsFile}:5: repeats section [a] (first at line 1) [duplicate-section]; botocore cannot read this file, so the app left it unchanged`,
    );
    expect(state(credentialsFile)).toEqual(before);
  });

  it('refuses a broken config file without touching either file', async () => {
    seed(credentialsFile, '[other]\nk = v\n');
    seed(configFile, '\ufeff[default]\nregion = x\n');
    const before = [state(credentialsFile), state(configFile)];
    const error = await refusal(writer().applyProfiles([update('dev', 1)]));
    expect([error.kind, error.file, error.line, error.rule]).toEqual([
      'broken-file',
      configFile,
      1,
      'bom',
    ]);
    expect([state(credentialsFile), state(configFile)]).toEqual(before);
  });

  it('refuses bad names and values before touching anything, never quoting a value', async () => {
    seed(credentialsFile, '[other]\nk = v\n');
    const before = state(credentialsFile);
    const bad = update('dev', 1);
    const cases: [Promise<unknown>, string][] = [
      [writer().applyProfiles([update('my profile')]), 'invalid-profile-name'],
      [writer().removeProfile('a]b'), 'invalid-profile-name'],
      [writer().applyProfiles([update('dev'), update('dev')]), 'invalid-input'],
      [
        writer().applyProfiles([
          { ...bad, credentials: { ...bad.credentials, secretAccessKey: `${SECRET} # x` } },
        ]),
        'invalid-input',
      ],
      [writer().applyProfiles([{ ...bad, region: '"eu-west-1"' }]), 'invalid-input'],
      [
        writer().applyProfiles([
          { ...bad, credentials: { ...bad.credentials, expiresAt: new Date(NaN) } },
        ]),
        'invalid-input',
      ],
    ];
    for (const [promise, kind] of cases) {
      const error = await refusal(promise);
      expect(error.kind).toBe(kind);
      expect(error.message).not.toContain(SECRET);
    }
    expect(state(credentialsFile)).toEqual(before);
    expect(existsSync(configFile)).toBe(false);
  });

  it('refuses to add a profile whose section exists unless the caller adopts it', async () => {
    seed(credentialsFile, '[other]\nk = v\n\n[dev] # hand-made\naws_access_key_id = MINE\n');
    seed(configFile, '[profile dev]\ncredential_process = /bin/helper\n');
    const before = [state(credentialsFile), state(configFile)];
    const error = await refusal(
      writer().applyProfiles([update('dev', 1)], { adding: new Set(['dev']) }),
    );
    expect(error.kind).toBe('not-ours');
    expect(error.message).toMatch(new RegExp(`^${credentialsFile}:4: profile dev already exists`));
    expect([state(credentialsFile), state(configFile)]).toEqual(before);
  });

  it('refuses an edit that would change how botocore reads an indented section after it', async () => {
    seed(credentialsFile, '[a]\nk = v\n[dev]\n  [b]\nj = w\n');
    const before = state(credentialsFile);
    const error = await refusal(writer().removeProfile('dev'));
    expect([error.kind, error.line]).toEqual(['unsupported-layout', 4]);
    expect(state(credentialsFile)).toEqual(before);
  });

  it('gives up on a lock held by a live writer, leaving no trace', async () => {
    seed(credentialsFile, '[other]\nk = v\n');
    const lockPath = `${credentialsFile}.vault-aws-tray.lock`;
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, scope: 'elsewhere', token: 't' }));
    const before = state(credentialsFile);
    const error = await refusal(writer({ lockWaitMs: 100 }).applyProfiles([update('dev')]));
    expect(error.kind).toBe('locked');
    expect(state(credentialsFile)).toEqual(before);
  });
});

describe('adoption', () => {
  it('backs the old sections up in files of their own that refreshes never overwrite', async () => {
    seed(
      credentialsFile,
      '[other]\nk = v\n\n[dev] # hand-made\naws_access_key_id = MINE\n\n# next\n[z]\n',
    );
    seed(configFile, '[profile dev]\ncredential_process = /bin/helper\n');
    const clock = { now: () => Date.UTC(2026, 1, 3, 4, 5, 6) };
    const report = await writer({ clock }).adoptProfile(update('dev', 1, { region: 'eu-west-1' }));
    const credentialsBackup = `${credentialsFile}.vault-aws-tray-adopted-dev-20260203T040506Z.bak`;
    const configBackup = `${configFile}.vault-aws-tray-adopted-dev-20260203T040506Z.bak`;
    expect(report.backups).toEqual([
      credentialsBackup,
      configBackup,
      `${credentialsFile}.vault-aws-tray.bak`,
      `${configFile}.vault-aws-tray.bak`,
    ]);
    expect(read(credentialsBackup)).toBe(
      `# vault-aws-tray adopted profile dev: section [dev] of ${credentialsFile} as it was before.\n[dev] # hand-made\naws_access_key_id = MINE\n`,
    );
    expect(statSync(credentialsBackup).mode & 0o777).toBe(0o600);
    expect(read(configBackup)).toContain('[profile dev]\ncredential_process = /bin/helper\n');
    expect(read(credentialsFile)).toMatch(
      /^\[other\]\nk = v\n\n\[dev\]\naws_access_key_id = AKIADEV1\n[^[]*\n# next\n\[z\]\n$/,
    );
    expect(read(configFile)).toBe('[profile dev]\nregion = eu-west-1\n');

    await writer({ clock }).applyProfiles([update('dev', 2)]);
    await writer({ clock }).adoptProfile(update('dev', 3));
    expect(read(credentialsBackup)).toContain('aws_access_key_id = MINE');
    expect(read(credentialsBackup.replace('.bak', '-2.bak'))).toContain(
      'aws_access_key_id = AKIADEV2',
    );
  });
});

describe('delivery by credential_process', () => {
  const HELPER = '/opt/vat/bin/vault-aws-tray';
  const processUpdate = (profile: string, extra: Settings = {}): ProcessProfileUpdate => ({
    profile,
    credentialProcess: `${HELPER} credential-process ${profile}`,
    ...extra,
  });
  const devFile = [
    '[dev]',
    'aws_access_key_id = AKIADEV1',
    `aws_secret_access_key = ${SECRET}1`,
    'aws_session_token = FwoGZXIvYXdzE1==',
    'x_security_token_expires = 2030-01-01T00:01:00Z',
    '',
  ].join('\n');

  it('writes both kinds in one batch, one write of each file', async () => {
    const report = await writer().applyProfiles([
      update('dev', 1),
      processUpdate('ci', { region: 'eu-west-1', output: 'json' }),
    ]);
    expect(report).toEqual({ written: [credentialsFile, configFile], backups: [], shadowing: [] });
    expect(read(credentialsFile)).toBe(devFile);
    expect(read(configFile)).toBe(
      `[profile ci]\nregion = eu-west-1\noutput = json\ncredential_process = ${HELPER} credential-process ci\n`,
    );
  });

  it('moves a profile file → process → file, touching nothing else', async () => {
    const credentialsBefore =
      '# team file\n[other]\naws_access_key_id = AKIAOTHER\n\n; z\n[z]\nk = v\n';
    const configBefore = '# mine\n[profile other]\nregion = us-east-1\n';
    seed(credentialsFile, credentialsBefore);
    seed(configFile, configBefore);
    const asFile = [
      `${credentialsBefore}\n${devFile}`,
      `${configBefore}\n[profile dev]\nregion = eu-west-1\n`,
    ];

    await writer().applyProfiles([update('dev', 1, { region: 'eu-west-1' })]);
    expect([read(credentialsFile), read(configFile)]).toEqual(asFile);

    const report = await writer().applyProfiles([processUpdate('dev', { region: 'eu-west-1' })]);
    expect(report.written).toEqual([credentialsFile, configFile]);
    expect(report.shadowing).toEqual([]);
    // The blank line the first write put before [dev] stays: only the section itself goes.
    expect(read(credentialsFile)).toBe(`${credentialsBefore}\n`);
    expect(read(configFile)).toBe(
      `${configBefore}\n[profile dev]\nregion = eu-west-1\ncredential_process = ${HELPER} credential-process dev\n`,
    );
    const inspection = await writer().inspect('dev', 'process');
    expect([inspection.inCredentialsFile, inspection.inConfigFile]).toEqual([false, true]);
    expect(inspection.shadowing).toEqual([]);

    await writer().applyProfiles([update('dev', 1, { region: 'eu-west-1' })]);
    expect([read(credentialsFile), read(configFile)]).toEqual(asFile);
  });

  it('removes the whole credentials-file section, foreign keys and comments inside it too', async () => {
    seed(
      credentialsFile,
      '[a]\nk = v\n\n[dev]\naws_access_key_id = OLD\n# why\nregion = x\n\n# about b\n[b]\nj = w\n',
    );
    seed(configFile, '[profile dev]\naws_secret_access_key = OLD\ncredential_process = /old\n');
    await writer().applyProfiles([processUpdate('dev')]);
    expect(read(credentialsFile)).toBe('[a]\nk = v\n\n\n# about b\n[b]\nj = w\n');
    expect(read(configFile)).toBe(
      `[profile dev]\ncredential_process = ${HELPER} credential-process dev\n`,
    );
  });

  it('refuses to add a process profile whose section exists in either file', async () => {
    for (const [file, text] of [
      [credentialsFile, '[dev]\naws_access_key_id = MINE\n'],
      [configFile, '[other]\nk = v\n\n[profile dev]\nregion = x\n'],
    ] as const) {
      rmSync(path.dirname(file), { recursive: true, force: true });
      seed(file, text);
      const before = state(file);
      const error = await refusal(
        writer().applyProfiles([update('ci', 1), processUpdate('dev')], {
          adding: new Set(['ci', 'dev']),
        }),
      );
      expect(error.kind).toBe('not-ours');
      expect(error.message).toMatch(new RegExp(`^${file}:\\d+: profile dev already exists`));
      expect(state(file)).toEqual(before);
    }
    rmSync(path.dirname(credentialsFile), { recursive: true, force: true });
    await writer().applyProfiles([processUpdate('dev')], { adding: new Set(['dev']) });
    expect(existsSync(credentialsFile)).toBe(false);
  });

  it('adopts into process delivery: both old sections to the backups, none left in credentials', async () => {
    seed(credentialsFile, '[other]\nk = v\n\n[dev] # hand-made\naws_access_key_id = MINE\n');
    seed(configFile, '[profile dev]\nrole_arn = arn:aws:iam::1:role/r\nregion = us-east-1\n');
    const clock = { now: () => Date.UTC(2026, 1, 3, 4, 5, 6) };
    const report = await writer({ clock }).adoptProfile(
      processUpdate('dev', { region: 'eu-west-1' }),
    );
    const stamp = 'vault-aws-tray-adopted-dev-20260203T040506Z.bak';
    expect(report.backups.slice(0, 2)).toEqual([
      `${credentialsFile}.${stamp}`,
      `${configFile}.${stamp}`,
    ]);
    expect(read(`${credentialsFile}.${stamp}`)).toContain(
      '[dev] # hand-made\naws_access_key_id = MINE\n',
    );
    expect(read(`${configFile}.${stamp}`)).toContain('role_arn = arn:aws:iam::1:role/r\n');
    expect(read(credentialsFile)).toBe('[other]\nk = v\n\n');
    expect(read(configFile)).toBe(
      `[profile dev]\nregion = eu-west-1\ncredential_process = ${HELPER} credential-process dev\n`,
    );
    expect(report.shadowing).toEqual([]);
  });

  it('reports what would run instead of the command, but not the command itself', async () => {
    seed(
      configFile,
      '[profile dev]\nsso_session = corp\ncredential_process = /old\naws_access_key_id = S\n',
    );
    const report = await writer().applyProfiles([processUpdate('dev')]);
    expect(read(configFile)).toBe(
      `[profile dev]\nsso_session = corp\ncredential_process = ${HELPER} credential-process dev\n`,
    );
    expect(report.shadowing.map((f) => [f.kind, f.file, f.line, f.key])).toEqual([
      ['sso', configFile, 2, 'sso_session'],
    ]);
    expect(report.shadowing[0]!.message).toMatch(/instead of the managed credential_process$/);

    // Another program puts keys back: inspect tells, by the profile's delivery mode.
    seed(credentialsFile, '[dev]\naws_access_key_id = A\naws_secret_access_key = B\n');
    const asProcess = await writer().inspect('dev', 'process');
    expect(asProcess.shadowing.map((f) => [f.kind, f.file, f.line])).toEqual([
      ['static-keys', credentialsFile, 2],
      ['static-keys', credentialsFile, 3],
      ['sso', configFile, 2],
    ]);
    const asFile = await writer().inspect('dev');
    expect(asFile.shadowing.map((f) => [f.kind, f.key])).toEqual([
      ['sso', 'sso_session'],
      ['credential-process', 'credential_process'],
    ]);
  });

  it('refuses a command the files cannot hold as plain words, touching nothing', async () => {
    seed(configFile, '[other]\nk = v\n');
    const before = state(configFile);
    for (const credentialProcess of [
      '',
      ' /bin/x',
      '/bin/x  credential-process dev',
      '"/bin/x" credential-process dev',
      "/bin/x 'dev'",
      '/bin/x #dev',
      '/bin/x ;dev',
      '/bin/x\tdev',
      '/bin/x dev\n',
    ]) {
      const error = await refusal(writer().applyProfiles([{ profile: 'dev', credentialProcess }]));
      expect(error.kind).toBe('invalid-input');
    }
    const error = await refusal(
      writer().applyProfiles([{ ...processUpdate('dev'), region: 'eu west' }]),
    );
    expect(error.kind).toBe('invalid-input');
    expect(state(configFile)).toEqual(before);
    expect(existsSync(credentialsFile)).toBe(false);
  });
});

describe('removeProfile and inspect', () => {
  it('removes the profile’s sections from both files and nothing else', async () => {
    seed(credentialsFile, '# top\n[a]\nk = v\n\n[dev]\nx = 1\n# about b\n[b]\nj = w');
    seed(configFile, '[profile dev]\nregion = r\n[profile b]\nregion = s\n');
    await writer().removeProfile('dev');
    expect(read(credentialsFile)).toBe('# top\n[a]\nk = v\n\n# about b\n[b]\nj = w');
    expect(read(configFile)).toBe('[profile b]\nregion = s\n');
  });

  it('tells where a profile is and what shadows it, without writing', async () => {
    seed(credentialsFile, '[dev]\naws_access_key_id = A\n');
    seed(configFile, '[profile dev]\nsso_session = corp\n');
    const before = [state(credentialsFile), state(configFile)];
    const inspection = await writer().inspect('dev');
    expect(inspection.inCredentialsFile).toBe(true);
    expect(inspection.inConfigFile).toBe(true);
    expect(inspection.shadowing.map((f) => f.kind)).toEqual(['sso']);
    expect([state(credentialsFile), state(configFile)]).toEqual(before);
  });
});

describe('the file-system seam', () => {
  it('retries a rename that Windows refuses with EPERM or EBUSY', async () => {
    let failures = 0;
    const fs: WriterFs = {
      ...nodeFs,
      rename: async (from, to) => {
        if (to === credentialsFile && failures < 3) {
          failures += 1;
          throw Object.assign(new Error('busy'), { code: failures % 2 ? 'EPERM' : 'EBUSY' });
        }
        return fsPromises.rename(from, to);
      },
    };
    await writer({ fs }).applyProfiles([update('dev', 1)]);
    expect(failures).toBe(3);
    expect(read(credentialsFile)).toContain('aws_access_key_id = AKIADEV1');
    expect(readdirSync(path.dirname(credentialsFile))).toEqual(['credentials']);
  });

  it('gives up after a few refused renames, leaving the old file and no temp file', async () => {
    seed(credentialsFile, '[other]\nk = v\n');
    const fs: WriterFs = {
      ...nodeFs,
      rename: async (from, to) => {
        if (to === credentialsFile) throw Object.assign(new Error('busy'), { code: 'EBUSY' });
        return fsPromises.rename(from, to);
      },
    };
    const before = state(credentialsFile);
    const error = await refusal(writer({ fs }).applyProfiles([update('dev')]));
    expect([error.kind, error.message]).toEqual(['io', `${credentialsFile}: EBUSY`]);
    expect(state(credentialsFile)).toEqual(before);
  });

  it('reads again when another program changes the file between its read and the rename', async () => {
    seed(credentialsFile, '[other]\nk = v\n');
    let links = 0;
    const fs: WriterFs = {
      ...nodeFs,
      link: async (from, to) => {
        // An unlocked writer (aws configure set) lands while the temp file is being prepared.
        if (from === credentialsFile && ++links === 1) {
          writeFileSync(credentialsFile, '[other]\nk = v\n[theirs]\nk = w\n');
        }
        return fsPromises.link(from, to);
      },
    };
    await writer({ fs }).applyProfiles([update('dev', 1)]);
    expect(links).toBe(2);
    expect(read(credentialsFile)).toMatch(/^\[other\]\nk = v\n\[theirs\]\nk = w\n\n\[dev\]\n/);
    expect(readdirSync(path.dirname(credentialsFile)).sort()).toEqual([
      'credentials',
      'credentials.vault-aws-tray.bak',
    ]);
  });

  it('puts back a file another program rewrote in place just before the rename, and starts over', async () => {
    seed(credentialsFile, '[other]\nk = v\n');
    let renames = 0;
    const fs: WriterFs = {
      ...nodeFs,
      rename: async (from, to) => {
        // aws configure set truncates and rewrites the old inode after the last check.
        if (to === credentialsFile && ++renames === 1) {
          writeFileSync(credentialsFile, '[other]\nk = v\n[theirs]\nk = w\n');
        }
        return fsPromises.rename(from, to);
      },
    };
    await writer({ fs }).applyProfiles([update('dev', 1)]);
    expect(read(credentialsFile)).toMatch(/^\[other\]\nk = v\n\[theirs\]\nk = w\n\n\[dev\]\n/);
    expect(readdirSync(path.dirname(credentialsFile)).sort()).toEqual([
      'credentials',
      'credentials.vault-aws-tray.bak',
    ]);
  });

  it('waits for a file another program has just emptied to be written again', async () => {
    seed(credentialsFile, '');
    // A truncate-then-write writer (aws configure set, saml2aws) in the middle of its write.
    const theirs = sleep(60).then(() => writeFileSync(credentialsFile, '[theirs]\nk = v\n'));
    await writer().applyProfiles([update('dev', 1)]);
    await theirs;
    expect(read(credentialsFile)).toMatch(/^\[theirs\]\nk = v\n\n\[dev\]\n/);
  });

  it('clears the temp files of a writer that died holding the lock', async () => {
    seed(credentialsFile, '[other]\nk = v\n');
    const leftover = path.join(
      path.dirname(credentialsFile),
      '.credentials.vault-aws-tray-0badc0de.tmp',
    );
    writeFileSync(leftover, 'half a file');
    const lockPath = `${credentialsFile}.vault-aws-tray.lock`;
    writeFileSync(lockPath, '');
    const past = new Date(Date.now() - 60_000);
    utimesSync(lockPath, past, past);
    await writer().applyProfiles([update('dev', 1)]);
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(lockPath)).toBe(false);
  });

  it('refuses a credentials path and a config path that are the same file', async () => {
    seed(credentialsFile, '[other]\nk = v\n');
    const error = await refusal(
      new CredentialsFileWriter({
        paths: { credentialsFile, configFile: credentialsFile },
      }).applyProfiles([update('dev')]),
    );
    expect(error.kind).toBe('invalid-input');
  });

  it('reports a file-system refusal as an io error naming the file', async () => {
    seed(credentialsFile, '[other]\nk = v\n');
    chmodSync(credentialsFile, 0o644);
    const fs: WriterFs = {
      ...nodeFs,
      open: (async (file: string, ...rest: unknown[]) => {
        if (String(file).endsWith('.tmp'))
          throw Object.assign(new Error('full'), { code: 'ENOSPC' });
        return (fsPromises.open as (...a: unknown[]) => unknown)(file, ...rest);
      }) as WriterFs['open'],
    };
    const before = state(credentialsFile);
    const error = await refusal(writer({ fs }).applyProfiles([update('dev')]));
    expect(error.kind).toBe('io');
    expect(error.message).toMatch(/\.tmp: ENOSPC$/);
    expect(state(credentialsFile)).toEqual(before);
  });
});

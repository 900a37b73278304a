import {
  chmodSync,
  chownSync,
  existsSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import type { BigIntStats } from 'node:fs';
import * as fsPromises from 'node:fs/promises';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialsFileWriter,
  type CredentialsFileWriterOptions,
} from '../../../src/core/aws/credentials-file-writer.js';
import { MAX_FILE_BYTES, readCapped } from '../../../src/core/aws/file-access.js';
import { nodeFs, type WriterFs } from '../../../src/core/aws/writer-fs.js';
import {
  modeOf,
  refusal,
  scratch,
  seed,
  state,
  update,
  type Scratch,
} from './support/writer-files.js';

let files: Scratch;
beforeEach(() => {
  files = scratch('vat-access-');
});
afterEach(() => rmSync(files.dir, { recursive: true, force: true }));

const writer = (options: Partial<CredentialsFileWriterOptions> = {}): CredentialsFileWriter =>
  new CredentialsFileWriter({
    paths: { credentialsFile: files.credentialsFile, configFile: files.configFile },
    lockWaitMs: 2_000,
    ...options,
  });

const MiB = 1024 * 1024;
const isRoot = process.getuid?.() === 0;
const me = `uid ${process.getuid?.()} (${os.userInfo().username})`;
/** A user the tests are not, with a name in /etc/passwd on Debian. */
const NOBODY = 65534;
const read = (file: string): string => readFileSync(file, 'utf8');

describe('in-place writes', () => {
  it('make a 0644 file 0600 before writing secrets into it, keeping its inode', async () => {
    const { credentialsFile, configFile } = files;
    seed(credentialsFile, '[other]\nk = v\n', 0o644);
    seed(configFile, '[profile other]\nregion = us-east-1\n', 0o644);
    chmodSync(credentialsFile, 0o644); // whatever the umask made of it
    chmodSync(configFile, 0o644);
    const inodes = [statSync(credentialsFile).ino, statSync(configFile).ino];
    await writer({ inPlace: true }).applyProfiles([update('dev', 1, 'eu-west-1')]);
    expect([statSync(credentialsFile).ino, statSync(configFile).ino]).toEqual(inodes);
    expect([modeOf(credentialsFile), modeOf(configFile)]).toEqual([0o600, 0o600]);
    expect(read(credentialsFile)).toContain('[dev]\naws_access_key_id = AKIADEV1\n');
    expect(modeOf(`${credentialsFile}.vault-aws-tray.bak`)).toBe(0o600);
  });

  it('leave a 0600 file’s mode alone', async () => {
    const { credentialsFile } = files;
    seed(credentialsFile, '[other]\nk = v\n', 0o600);
    const chmods: string[] = [];
    const fs: WriterFs = {
      ...nodeFs,
      chmod: async (file, mode) => {
        chmods.push(String(file));
        return fsPromises.chmod(file, mode);
      },
    };
    await writer({ inPlace: true, fs }).applyProfiles([update('dev', 1)]);
    expect(chmods).toEqual([]);
    expect(modeOf(credentialsFile)).toBe(0o600);
  });

  it('refuse, touching nothing, when the file cannot be made 0600', async () => {
    const { credentialsFile } = files;
    seed(credentialsFile, '[other]\nk = v\n', 0o644);
    chmodSync(credentialsFile, 0o644);
    const before = state(credentialsFile);
    const refusingChmod: WriterFs = {
      ...nodeFs,
      chmod: async () => {
        throw Object.assign(new Error('not permitted'), { code: 'EPERM' });
      },
    };
    // A mount that accepts chmod and ignores it (some network and host-shared file systems).
    const ignoringChmod: WriterFs = { ...nodeFs, chmod: async () => undefined };
    for (const [fs, reason] of [
      [refusingChmod, ' (EPERM)'],
      [ignoringChmod, ''],
    ] as const) {
      const error = await refusal(writer({ inPlace: true, fs }).applyProfiles([update('dev')]));
      expect(error.kind).toBe('not-writable');
      expect(error.file).toBe(credentialsFile);
      expect(error.message).toBe(
        `${credentialsFile} is mode 0644 and the app could not make it 0600${reason}, so it will not write credentials into it in place, where others could read them. Make it private with chmod 600 ${credentialsFile}, or mount its folder and turn in-place mode off.`,
      );
      // No backup, lock or temp file either: the folder listing is part of the state.
      expect(state(credentialsFile)).toEqual(before);
    }
  });
});

describe('read-only files', () => {
  for (const inPlace of [false, true]) {
    it(`are refused, not replaced${inPlace ? ' (in place)' : ''}: the error says mode, owner and what to do`, async () => {
      const { credentialsFile } = files;
      seed(credentialsFile, '[other]\nk = v\n\n[dev]\naws_access_key_id = OLD\n');
      chmodSync(credentialsFile, 0o444);
      const before = state(credentialsFile);
      for (const attempt of [
        () => writer({ inPlace }).applyProfiles([update('dev')]),
        () => writer({ inPlace }).adoptProfile(update('dev')),
        () => writer({ inPlace }).removeProfile('dev'),
      ]) {
        const error = await refusal(attempt());
        expect([error.kind, error.file]).toEqual(['not-writable', credentialsFile]);
        expect(error.message).toBe(
          `${credentialsFile} is read-only (mode 0444, owner ${me}), so the app will not replace it. Make it writable with chmod u+w ${credentialsFile}, or point the app at another file.`,
        );
        expect(state(credentialsFile)).toEqual(before);
      }
      expect(existsSync(files.configFile)).toBe(false);
    });
  }

  it('are checked before either file is written: a 0400 config file stops the whole write', async () => {
    const { credentialsFile, configFile } = files;
    seed(credentialsFile, '[other]\nk = v\n');
    seed(configFile, '[profile other]\nregion = us-east-1\n', 0o400);
    chmodSync(configFile, 0o400);
    const before = [state(credentialsFile), state(configFile)];
    const error = await refusal(writer().applyProfiles([update('dev', 1, 'eu-west-1')]));
    expect([error.kind, error.file]).toEqual(['not-writable', configFile]);
    expect(error.message).toMatch(/ is read-only \(mode 0400, owner /);
    expect([state(credentialsFile), state(configFile)]).toEqual(before);
  });

  it('do not stop a write that leaves them as they are', async () => {
    const { credentialsFile, configFile } = files;
    seed(configFile, '[profile other]\nregion = us-east-1\n', 0o444);
    chmodSync(configFile, 0o444);
    const before = state(configFile);
    const report = await writer().applyProfiles([update('dev', 1)]);
    expect(report.written).toEqual([credentialsFile]);
    expect(state(configFile)).toEqual({
      ...(before as object),
      folder: ['config', 'credentials'],
    });
  });

  it('can still be inspected', async () => {
    const { credentialsFile, configFile } = files;
    seed(credentialsFile, '[dev]\naws_access_key_id = AKIAOLD\n', 0o444);
    seed(configFile, '[profile dev]\nregion = eu-west-1\n', 0o400);
    chmodSync(credentialsFile, 0o444);
    chmodSync(configFile, 0o400);
    const inspection = await writer().inspect('dev');
    expect([inspection.inCredentialsFile, inspection.accessKeyId, inspection.inConfigFile]).toEqual(
      [true, 'AKIAOLD', true],
    );
  });
});

describe.skipIf(!isRoot)('files of another user (the tests run as root)', () => {
  for (const inPlace of [false, true]) {
    it(`are refused, not handed to root${inPlace ? ' (in place)' : ''}`, async () => {
      const { credentialsFile } = files;
      seed(credentialsFile, '[other]\nk = v\n', 0o644);
      chmodSync(credentialsFile, 0o644);
      chownSync(credentialsFile, NOBODY, NOBODY);
      const before = state(credentialsFile);
      const error = await refusal(writer({ inPlace }).applyProfiles([update('dev')]));
      expect([error.kind, error.file]).toEqual(['not-writable', credentialsFile]);
      expect(error.message).toBe(
        `${credentialsFile} belongs to another user (mode 0644, owner uid ${NOBODY} (nobody); the app runs as uid 0 (root)), so the app will not replace it: the new file would be this user's, and its owner could no longer read it. Run the app as its owner, give the file to this user with chown, or point the app at another file.`,
      );
      expect(state(credentialsFile)).toEqual(before);
      expect(statSync(credentialsFile).uid).toBe(NOBODY);
    });
  }

  it('say so when they are read-only too, and can still be inspected', async () => {
    const { credentialsFile, configFile } = files;
    seed(configFile, '[profile dev]\nregion = us-east-1\n', 0o444);
    chmodSync(configFile, 0o444);
    chownSync(configFile, NOBODY, NOBODY);
    const before = state(configFile);
    const error = await refusal(writer().applyProfiles([update('dev', 1, 'eu-west-1')]));
    expect(error.message).toMatch(
      new RegExp(
        `^${configFile} is read-only and belongs to another user \\(mode 0444, owner uid ${NOBODY} \\(nobody\\);`,
      ),
    );
    expect(state(configFile)).toEqual(before);
    expect(existsSync(credentialsFile)).toBe(false);
    const inspection = await writer().inspect('dev');
    expect(inspection.inConfigFile).toBe(true);
  });
});

describe('the size cap', () => {
  const tooLarge = (file: string, bytes: number): string =>
    `${file} is ${(bytes / MiB).toFixed(1)} MiB (${bytes} bytes), more than the 16 MiB the app reads; AWS credentials and config files are a few kilobytes, so this is probably not one. Point the app at the right file, or shrink this one; the app left it unchanged.`;

  it('refuses a sparse 20 MiB file before reading it, for writes and inspect', async () => {
    const { credentialsFile } = files;
    seed(credentialsFile, '[other]\nk = v\n');
    truncateSync(credentialsFile, 20 * MiB);
    const before = state(credentialsFile);
    for (const attempt of [
      () => writer().applyProfiles([update('dev')]),
      () => writer({ inPlace: true }).applyProfiles([update('dev')]),
      () => writer().inspect('dev'),
    ]) {
      const error = await refusal(attempt());
      expect([error.kind, error.file]).toEqual(['too-large', credentialsFile]);
      expect(error.message).toBe(tooLarge(credentialsFile, 20 * MiB));
    }
    expect(state(credentialsFile)).toEqual(before);
  });

  it('refuses a real 17 MiB config file, leaving both files as they were', async () => {
    const { credentialsFile, configFile } = files;
    seed(credentialsFile, '[other]\nk = v\n');
    // Valid INI, so that only the cap stands between it and the parser.
    const line = `# ${'x'.repeat(1021)}\n`;
    writeFileSync(configFile, line.repeat(17 * 1024));
    const before = [state(credentialsFile), state(configFile)];
    const error = await refusal(writer().applyProfiles([update('dev', 1, 'eu-west-1')]));
    expect([error.kind, error.message]).toEqual(['too-large', tooLarge(configFile, 17 * MiB)]);
    expect([state(credentialsFile), state(configFile)]).toEqual(before);
  });

  it('refuses a file that grows past the cap between its stat and its read', async () => {
    const { credentialsFile } = files;
    seed(credentialsFile, `# ${'x'.repeat(1021)}\n`.repeat(17 * 1024));
    const before = state(credentialsFile);
    // The stat taken before the read still sees the small file the other program started from.
    const fs: WriterFs = {
      ...nodeFs,
      open: (async (...args: Parameters<WriterFs['open']>) => {
        const handle = await fsPromises.open(...args);
        if (args[0] !== credentialsFile) return handle;
        const stat = handle.stat.bind(handle);
        return Object.assign(handle, {
          stat: async () => ({ ...(await stat({ bigint: true })), size: 100n }),
        });
      }) as WriterFs['open'],
    };
    const error = await refusal(writer({ fs }).applyProfiles([update('dev')]));
    expect(error.kind).toBe('too-large');
    expect(error.message).toMatch(/ grew past 16 MiB while the app read it; /);
    expect(state(credentialsFile)).toEqual(before);
  });

  it.skipIf(!existsSync('/dev/zero'))('refuses a file that never ends (/dev/zero)', async () => {
    const error = await refusal(
      new CredentialsFileWriter({
        paths: { credentialsFile: '/dev/zero', configFile: files.configFile },
      }).inspect('dev'),
    );
    expect([error.kind, error.file]).toEqual(['too-large', '/dev/zero']);
  });

  it('reads a file of exactly the cap, and refuses one byte more', async () => {
    const file = files.credentialsFile;
    seed(file, '');
    for (const [size, ok] of [
      [MAX_FILE_BYTES, true],
      [MAX_FILE_BYTES + 1, false],
    ] as const) {
      truncateSync(file, size);
      const handle = await fsPromises.open(file, 'r');
      try {
        const stat: BigIntStats = await handle.stat({ bigint: true });
        const result = await readCapped(handle, file, stat).then(
          (bytes) => bytes.length,
          (error: { kind?: string }) => error.kind,
        );
        expect(result).toBe(ok ? size : 'too-large');
      } finally {
        await handle.close();
      }
    }
  });
});

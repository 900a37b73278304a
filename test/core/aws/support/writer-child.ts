/**
 * A writer in a child process for the soak tests, bundled with esbuild at test start. It prints
 * one-letter trace marks with synchronous writes, so that the parent knows the phase a SIGKILL
 * landed in:
 *   L  the credentials lock is held      T  the temp file exists
 *   S  rename(temp → file) is called     R  the rename is done     U  the lock is released
 * In race mode it also logs, as JSON lines, each file it installs and each time it puts back
 * a file another program wrote into at the last moment.
 */
import { writeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { CredentialsFileWriter } from '../../../../src/core/aws/credentials-file-writer.js';
import { findSection, lineText, parseIni } from '../../../../src/core/aws/ini-document.js';
import { nodeFs, type WriterFs } from '../../../../src/core/aws/writer-fs.js';
import { credentialsFor } from './soak-profiles.js';

interface Args {
  readonly mode: 'crash' | 'rounds' | 'race';
  readonly credentialsFile: string;
  readonly configFile: string;
  readonly profile: string;
  /** crash: the round already in the file; rounds: how many rounds to write. */
  readonly count: number;
}

const args = JSON.parse(process.argv[2]!) as Args;
const out = (line: string): void => {
  writeSync(1, `${line}\n`);
};

function accessKeyOf(text: string, profile: string): string | undefined {
  const doc = parseIni(text);
  const section = findSection(doc, profile);
  if (section === undefined) return undefined;
  for (let i = section.header + 1; i < section.end; i++) {
    if (doc.lines[i]!.name === 'aws_access_key_id') return lineText(doc, i).split(' = ')[1];
  }
  return undefined;
}

const { credentialsFile } = args;
const lockPath = `${credentialsFile}.vault-aws-tray.lock`;
let lastReadAt = 0;
let onRename: ((temp: string) => Promise<void>) | undefined;
/** Temp files holding new content; the writer's other temp files are links to the old file. */
const contentTemps = new Set<string>();

const traced: WriterFs = {
  ...nodeFs,
  open: (async (...params: Parameters<WriterFs['open']>) => {
    const file = String(params[0]);
    if (file === credentialsFile && params[1] === 'r') lastReadAt = Date.now();
    const handle = await nodeFs.open(...params);
    if (file === lockPath) out('L');
    else if (file.endsWith('.tmp') && file.includes('/.credentials.')) {
      contentTemps.add(file);
      out('T');
    }
    return handle;
  }) as WriterFs['open'],
  rename: async (from, to) => {
    if (to !== credentialsFile) return nodeFs.rename(from, to);
    if (!contentTemps.has(String(from))) {
      // The old file put back: another program wrote into it just before the rename.
      out(JSON.stringify({ putBack: true }));
      return nodeFs.rename(from, to);
    }
    await onRename?.(String(from));
    out('S');
    await nodeFs.rename(from, to);
    out('R');
  },
  unlink: async (file) => {
    await nodeFs.unlink(file);
    if (file === lockPath) out('U');
  },
};

const writer = new CredentialsFileWriter({
  paths: { credentialsFile, configFile: args.configFile },
  fs: traced,
});
const write = (round: number): Promise<unknown> =>
  writer.applyProfiles([
    { profile: args.profile, credentials: credentialsFor(args.profile, round) },
  ]);

if (args.mode === 'crash') {
  // Writes round after round until the parent kills it.
  out('ready');
  for (let round = args.count + 1; ; round++) await write(round);
} else if (args.mode === 'rounds') {
  // Two of these edit different profiles of one file; neither may lose the other's update.
  let lost = 0;
  for (let round = 1; round <= args.count; round++) {
    await write(round);
    const mine = accessKeyOf(await readFile(credentialsFile, 'utf8'), args.profile);
    if (mine !== credentialsFor(args.profile, round).accessKeyId) lost += 1;
  }
  out(JSON.stringify({ lost }));
} else {
  // Writes until SIGTERM while `aws configure set` edits profile "other", and logs, for each
  // replacement, when it last read the file and what the file it installs holds.
  let stopping = false;
  process.on('SIGTERM', () => {
    stopping = true;
  });
  onRename = async (temp) => {
    const text = await readFile(temp, 'utf8');
    const doc = parseIni(text);
    const kept = doc.sections.filter((s) => s.name.startsWith('keep')).length;
    out(JSON.stringify({ readAt: lastReadAt, other: accessKeyOf(text, 'other') ?? null, kept }));
  };
  out('ready');
  for (let round = 1; !stopping; round++) await write(round);
  out('stopped');
}

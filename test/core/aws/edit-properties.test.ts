import { externalDataInterceptor, loadSharedConfigFiles } from '@smithy/shared-ini-file-loader';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findSection,
  lineText,
  optionEnd,
  parseIni,
  type IniDocument,
} from '../../../src/core/aws/ini-document.js';
import {
  IniEditor,
  configEntries,
  configSectionName,
  credentialEntries,
  credentialsSectionName,
  disturbedSection,
  type Entry,
} from '../../../src/core/aws/managed-sections.js';
import { strictViolations } from '../../../src/core/aws/strict-validate.js';
import { generatedFile, type GeneratedFile } from './support/ini-corpus.js';
import { readWithPython, type PythonRead } from './support/python-oracle.js';

const RUNS = 10_000;

type Operation = 'apply' | 'adopt' | 'remove';

const credentials = fc.record({
  accessKeyId: fc.stringMatching(/^AKIA[A-Z0-9]{4,12}$/),
  secretAccessKey: fc.stringMatching(/^[A-Za-z0-9/+]{8,40}$/),
  sessionToken: fc.option(fc.stringMatching(/^[A-Za-z0-9/+]{8,60}={0,2}$/), { nil: undefined }),
  expiresAt: fc.date({
    min: new Date('2020-01-01'),
    max: new Date('2040-01-01'),
    noInvalidDate: true,
  }),
});
const config = fc.record({
  region: fc.constantFrom('us-east-1', 'eu-west-1', undefined),
  output: fc.constantFrom('json', 'text', undefined),
});

const testCase = fc.record({
  file: fc.oneof(generatedFile('credentials'), generatedFile('config')),
  operation: fc.constantFrom<Operation>('apply', 'apply', 'adopt', 'remove'),
  credentials,
  config,
});

interface Checked {
  readonly before: string;
  readonly after: string;
  readonly section: string;
  readonly entries: readonly Entry[] | undefined;
}

describe('editing managed sections of generated files', () => {
  it(`touches no byte outside the managed section, and every reader agrees (${RUNS} files)`, async () => {
    const checked: Checked[] = [];
    let withManaged = 0;
    await fc.assert(
      fc.asyncProperty(testCase, async ({ file, operation, credentials, config }) => {
        const isCredentials = file.kind === 'credentials';
        const section = isCredentials
          ? credentialsSectionName(file.profile)
          : configSectionName(file.profile);
        const entries = isCredentials ? credentialEntries(credentials) : configEntries(config);
        const before = parseIni(file.text);
        const editor = new IniEditor(before);
        if (operation === 'apply') editor.setEntries(section, entries);
        if (operation === 'adopt') editor.replaceSection(section, entries);
        if (operation === 'remove') editor.removeSection(section);
        const afterText = editor.toText();
        const after = parseIni(afterText);
        const written = operation === 'remove' ? undefined : entries;

        expect(strictViolations(after)).toEqual([]);
        expect(disturbedSection(before, after, new Set([section]))).toBeUndefined();
        expectOnlyManagedBytesChanged(
          before,
          after,
          section,
          written !== undefined && hasValues(written),
        );
        if (operation === 'apply' && findSection(before, section) !== undefined) {
          expectUnmanagedLinesKept(before, after, section, entries);
        }
        expectManagedLines(after, section, written, operation);
        await expectSdkLoaderAgrees(file, file.text, afterText, written);
        checked.push({ before: file.text, after: afterText, section, entries: written });
        if (file.hasManaged) withManaged += 1;
      }),
      { numRuns: RUNS },
    );
    expect(withManaged).toBeGreaterThan(RUNS / 2);

    const python = readWithPython(
      checked.flatMap((c) => [Buffer.from(c.before), Buffer.from(c.after)]),
    );
    checked.forEach((c, i) => expectPythonAgrees(c, python[2 * i]!, python[2 * i + 1]!));
    // 10,000 files and one Python run: seconds on an idle core, 45 s seen with both cores busy
    // twice over (npm run test:loaded); the bound tolerates a machine far busier than that.
  }, 240_000);
});

const hasValues = (entries: readonly Entry[]): boolean => entries.some(([, v]) => v !== undefined);

/** Offsets of the section's text: from its header to the end of its last setting's line. */
function extent(doc: IniDocument, name: string): { start: number; end: number } | undefined {
  const section = findSection(doc, name);
  if (section === undefined) return undefined;
  const last = doc.lines[section.end - 1]!;
  return { start: doc.lines[section.header]!.start, end: last.end + last.eol.length };
}

function expectOnlyManagedBytesChanged(
  before: IniDocument,
  after: IniDocument,
  section: string,
  writesSection: boolean,
): void {
  const was = extent(before, section);
  const now = extent(after, section);
  if (was !== undefined) {
    // before = prefix + managed + suffix; after = prefix + (new managed text) + suffix.
    const prefix = before.text.slice(0, was.start);
    const suffix = before.text.slice(was.end);
    expect(after.text.startsWith(prefix)).toBe(true);
    expect(after.text.endsWith(suffix)).toBe(true);
    expect(after.text.length).toBeGreaterThanOrEqual(prefix.length + suffix.length);
    if (now === undefined) expect(after.text).toBe(prefix + suffix);
    else expect(now.start).toBe(prefix.length);
  } else if (now !== undefined) {
    // A new section goes last, after a line end the file may lack and one blank line.
    expect(writesSection).toBe(true);
    expect(now.end).toBe(after.text.length);
    const prefix = after.text.slice(0, now.start);
    expect(prefix.startsWith(before.text)).toBe(true);
    expect(prefix.slice(before.text.length)).toMatch(/^(\r?\n){0,2}$/);
  } else {
    expect(after.text).toBe(before.text);
  }
}

/** From the managed header to the next header, only the managed keys' lines change. */
function expectUnmanagedLinesKept(
  before: IniDocument,
  after: IniDocument,
  section: string,
  entries: readonly Entry[],
): void {
  const managed = new Set(entries.map(([key]) => key));
  const others = (doc: IniDocument): string[] => {
    const found = findSection(doc, section)!;
    const next = doc.sections.find((s) => s.header > found.header)?.header ?? doc.lines.length;
    const lines: string[] = [];
    for (let i = found.header; i < next; i++) {
      const line = doc.lines[i]!;
      if (line.kind === 'option' && managed.has(line.name)) i = optionEnd(doc, i) - 1;
      else lines.push(lineText(doc, i));
    }
    return lines;
  };
  expect(others(after)).toEqual(others(before));
}

function expectManagedLines(
  after: IniDocument,
  section: string,
  entries: readonly Entry[] | undefined,
  operation: Operation,
): void {
  const found = findSection(after, section);
  if (entries === undefined) {
    expect(found).toBeUndefined();
    return;
  }
  if (found === undefined) {
    expect(hasValues(entries) && operation === 'apply').toBe(false);
    return;
  }
  const lines = new Map<string, string>();
  for (let i = found.header + 1; i < found.end; i++) {
    const line = after.lines[i]!;
    if (line.kind === 'option') lines.set(line.name, lineText(after, i));
  }
  for (const [key, value] of entries) {
    expect(lines.get(key)).toBe(value === undefined ? undefined : `${key} = ${value}`);
  }
  if (operation === 'adopt') expect(lines.size).toBe(entries.filter(([, v]) => v).length);
}

/** The AWS SDK for JavaScript reads every other profile exactly as before. */
async function expectSdkLoaderAgrees(
  file: GeneratedFile,
  before: string,
  after: string,
  entries: readonly Entry[] | undefined,
): Promise<void> {
  // The loader's own parsing and merging, fed through its test hook instead of the disk (the
  // disk path is exercised by real-readers.test.ts).
  const load = async (text: string): Promise<Record<string, Record<string, string>>> => {
    const target = `/virtual/${file.kind}`;
    externalDataInterceptor.interceptFile(target, text);
    externalDataInterceptor.interceptFile('/virtual/empty', '');
    const loaded = await loadSharedConfigFiles(
      file.kind === 'credentials'
        ? { filepath: target, configFilepath: '/virtual/empty', ignoreCache: true }
        : { filepath: '/virtual/empty', configFilepath: target, ignoreCache: true },
    );
    return (file.kind === 'credentials' ? loaded.credentialsFile : loaded.configFile) as Record<
      string,
      Record<string, string>
    >;
  };
  const was = await load(before);
  const now = await load(after);
  const managedAfter = now[file.profile];
  delete was[file.profile];
  delete now[file.profile];
  expect(now).toEqual(was);
  if (entries === undefined) {
    expect(managedAfter).toBeUndefined();
    return;
  }
  const keys = new Set(entries.map(([key]) => key));
  for (const [key, value] of entries) expect(managedAfter?.[key]).toBe(value);
  // The SDK reads keys case-sensitively; no other spelling of a managed key may survive.
  const strays = Object.keys(managedAfter ?? {}).filter(
    (k) => keys.has(k.toLowerCase()) && !keys.has(k),
  );
  expect(strays).toEqual([]);
}

function expectPythonAgrees(c: Checked, before: PythonRead, after: PythonRead): void {
  expect(before.ok && after.ok, c.after).toBe(true);
  if (!before.ok || !after.ok) return;
  const others = (read: typeof before): unknown => ({
    sections: read.sections.filter(([name]) => name !== c.section),
    defaults: read.defaults,
  });
  expect(others(after)).toEqual(others(before));
  const managed = after.sections.find(([name]) => name === c.section)?.[1];
  if (c.entries === undefined) {
    expect(managed).toBeUndefined();
    return;
  }
  const values = new Map(managed ?? []);
  for (const [key, value] of c.entries) expect(values.get(key)).toBe(value);
}

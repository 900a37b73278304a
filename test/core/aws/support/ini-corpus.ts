/**
 * Generated credentials and config files for the property tests: both comment styles, CRLF and
 * mixed line ends, no final newline, runs of blank lines, unknown keys, continuation lines,
 * `[profile x]` sections in the credentials file, values with `=` and `#`, and the managed
 * section first, in the middle, last or absent. Every generated file is valid for botocore;
 * `mutated` and `lineSoup` make invalid and odd ones for the validator cross-check.
 */
import fc from 'fast-check';

export type FileKind = 'credentials' | 'config';

export interface GeneratedFile {
  readonly kind: FileKind;
  readonly text: string;
  /** The managed profile's name. */
  readonly profile: string;
  /** Whether the file has the managed profile's section. */
  readonly hasManaged: boolean;
}

const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyz0123456789_';
const VALUE_CHARS = 'abcXYZ0189/+=#;:.-_ "\'[]';
const COMMENT_CHARS = 'abc XYZ=#;:[]';

const word = (chars: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...chars), { minLength: min, maxLength: max }).map((c) => c.join(''));

const space = fc.constantFrom('', '', ' ', '  ', '\t');

/** A value as it stands after `=`; may be empty, may hold `=`, `#`, quotes and brackets. */
const value = fc.oneof(
  { weight: 8, arbitrary: word(VALUE_CHARS, 1, 24).filter((v) => v.trim() !== '') },
  { weight: 1, arbitrary: fc.constant('') },
  { weight: 1, arbitrary: fc.constantFrom('abc==', 'x#y', 'a = b', 'tok/+9==', "'quoted'") },
);

const MANAGED_CREDENTIAL_KEYS = [
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_security_token',
  'x_security_token_expires',
];
const OTHER_KEYS = [
  'region',
  'output',
  'role_arn',
  'source_profile',
  'credential_process',
  'sso_start_url',
  'x_principal_arn',
  'aws_expiration',
  'cli_pager',
];

const otherKey = fc.oneof(
  fc.constantFrom(...OTHER_KEYS),
  word(KEY_CHARS, 1, 10).filter((k) => /^[a-z]/.test(k)),
);

const comment = fc
  .tuple(fc.constantFrom('', '', '  ', '\t'), fc.constantFrom('#', ';'), word(COMMENT_CHARS, 0, 20))
  .map(([indent, prefix, text]) => `${indent}${prefix}${text}`);

const blank = fc.constantFrom('', '', ' ', '\t');
const blankRun = fc.array(blank, { minLength: 0, maxLength: 3 });

/**
 * Indented lines Python appends to the previous value. Without `=` or brackets: the JS SDK would
 * read those as a key or a section header, a disagreement between readers that no edit causes.
 */
const continuation = fc
  .tuple(fc.constantFrom('  ', '    ', '\t'), word('abcXYZ019/+ ', 1, 12))
  .filter(([, text]) => text.trim() !== '')
  .map(([indent, text]) => `${indent}${text}`);

interface OptionSpec {
  readonly key: string;
  readonly upper: boolean;
  readonly line: readonly [string, string, string, string];
  readonly more: readonly string[];
  readonly before: readonly string[];
}

/** One `key = value` entry with the comments or blank lines before it and its continuations. */
function option(keys: fc.Arbitrary<string>): fc.Arbitrary<OptionSpec> {
  return fc.record({
    key: keys,
    upper: fc.boolean(),
    line: fc.tuple(space, fc.constantFrom('=', '=', '=', ':'), space, value),
    more: fc.array(continuation, { maxLength: 2 }),
    before: fc.array(fc.oneof(comment, blank), { maxLength: 2 }),
  });
}

function renderOption({
  key,
  upper,
  line: [before, delimiter, after, v],
  more,
  before: lead,
}: OptionSpec): string[] {
  const first = `${upper ? key.toUpperCase() : key}${before}${delimiter}${after}${v}`.trimEnd();
  // A continuation after an empty value would start a sub-section for the JS SDK.
  return [...lead, first, ...(v === '' ? [] : more)];
}

/** Keys unique case-insensitively, as botocore requires. */
const body = (keys: fc.Arbitrary<string>, max: number): fc.Arbitrary<string[]> =>
  fc
    .tuple(
      fc.uniqueArray(option(keys), { maxLength: max, selector: (o) => o.key.toLowerCase() }),
      fc.array(fc.oneof(comment, blank), { maxLength: 2 }),
    )
    .map(([options, tail]) => [...options.flatMap(renderOption), ...tail]);

const managedCredentialBody = body(
  fc.oneof(fc.constantFrom(...MANAGED_CREDENTIAL_KEYS), otherKey),
  7,
);
const managedConfigBody = body(
  fc.oneof(fc.constantFrom('region', 'output', ...MANAGED_CREDENTIAL_KEYS), otherKey),
  6,
);
const otherBody = body(fc.oneof(otherKey, fc.constantFrom(...MANAGED_CREDENTIAL_KEYS)), 5);

/** A header's tail; it must not hold `]` (Python's section name runs to the last `]`). */
const headerSuffix = fc.constantFrom('', '', '', ' # note', ' ;x', '\t# a=b');

const PROFILES = ['dev', 'default', 'a.b-c_1'];
/** `{P}` stands for the managed profile's name. */
const plainName = word('abcdefgh0123._-', 1, 8);
const OTHER_NAMES: Record<FileKind, fc.Arbitrary<string>> = {
  credentials: fc.oneof(
    plainName,
    fc.constantFrom('default', 'prod', 'profile {P}', 'profile x', 'my profile', 'DEFAULT'),
  ),
  config: fc.oneof(
    plainName.map((n) => `profile ${n}`),
    fc.constantFrom(
      'default',
      '{P}',
      'sso-session corp',
      'services local',
      'profile prod',
      'DEFAULT',
    ),
  ),
};

function managedSectionName(kind: FileKind, profile: string): string {
  if (kind === 'credentials' || profile === 'default') return profile;
  return `profile ${profile}`;
}

export function generatedFile(kind: FileKind): fc.Arbitrary<GeneratedFile> {
  const others = fc.uniqueArray(
    fc.record({ name: OTHER_NAMES[kind], suffix: headerSuffix, body: otherBody, gap: blankRun }),
    { maxLength: 6, selector: (section) => section.name },
  );
  const managed = fc.record({
    suffix: headerSuffix,
    body: kind === 'credentials' ? managedCredentialBody : managedConfigBody,
    gap: blankRun,
  });
  return fc
    .record({
      profile: fc.constantFrom(...PROFILES),
      prelude: fc.array(fc.oneof(comment, blank), { maxLength: 3 }),
      others,
      managed: fc.option(managed, { freq: 4 }),
      position: fc.nat(),
      eol: fc.constantFrom('\n', '\r\n', 'mixed'),
      eols: fc.array(fc.constantFrom('\n', '\r\n'), { minLength: 64, maxLength: 64 }),
      finalNewline: fc.boolean(),
    })
    .map(({ profile, prelude, others, managed, position, eol, eols, finalNewline }) => {
      const managedName = managedSectionName(kind, profile);
      const sections = others
        .map((section) => ({ ...section, name: section.name.replace('{P}', profile) }))
        .filter((section) => section.name !== managedName);
      if (managed !== null) {
        sections.splice(position % (sections.length + 1), 0, { ...managed, name: managedName });
      }
      const lines = [
        ...prelude,
        ...sections.flatMap(({ name, suffix, body, gap }) => [
          `[${name}]${suffix}`,
          ...body,
          ...gap,
        ]),
      ];
      const text = lines
        .map((line, i) => {
          const end = eol === 'mixed' ? eols[i % eols.length]! : eol;
          return line + (i === lines.length - 1 && !finalNewline ? '' : end);
        })
        .join('');
      return { kind, text, profile, hasManaged: managed !== null };
    });
}

/** A valid file with one change that may break botocore's rules, or may not. */
export function mutated(kind: FileKind): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(generatedFile(kind), fc.nat(), fc.nat(), fc.nat({ max: 9 }))
    .map(([file, a, b, which]) => {
      const lines = file.text.split('\n');
      const at = (n: number): number => n % (lines.length + 1);
      const headers = lines.filter((l) => l.startsWith('['));
      const options = lines.filter((l) => /^[a-zA-Z_]+ *[=:]/.test(l));
      const pick = (list: string[], n: number): string | undefined =>
        list[n % Math.max(1, list.length)];
      switch (which) {
        case 0:
          lines.splice(at(a), 0, pick(headers, b) ?? '[x]'); // duplicate section
          break;
        case 1:
          lines.splice(at(a), 0, (pick(options, b) ?? 'k = v').toUpperCase()); // duplicate key
          break;
        case 2:
          return Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(file.text)]);
        case 3:
          lines.splice(at(a), 0, 'no delimiter here');
          break;
        case 4:
          lines.unshift('key = before any section');
          break;
        case 5:
          lines.splice(at(a), 0, '= empty key');
          break;
        case 6:
          lines.splice(at(a), 0, '   indented = maybe a continuation');
          break;
        case 7:
          lines.splice(at(a), 0, '  [indented-header]');
          break;
        case 8:
          return Buffer.concat([Buffer.from(file.text), Buffer.from([0xc3, 0x28, 0x0a])]);
        default:
          lines.splice(at(a), 1);
      }
      // A lone CR at the very end is a line end to Python and an error to us: not compared here.
      return Buffer.from(lines.join('\n').replace(/\r$/, '\r\n'));
    });
}

/** Random lines from the characters that matter to the parsers: a fuzz of the state machine. */
export const lineSoup: fc.Arbitrary<Uint8Array> = fc
  .array(
    fc.array(
      fc.constantFrom(
        '[',
        ']',
        '=',
        ':',
        '#',
        ';',
        ' ',
        ' ',
        '\t',
        'a',
        'b',
        'K',
        '1',
        '.',
        '\u00a0',
        '\u2003',
        '\f',
        '\v',
        '\u001c',
        '\u0085',
        '\ufeff',
        '\u0130',
      ),
      { maxLength: 10 },
    ),
    { maxLength: 12 },
  )
  .chain((lines) =>
    fc
      .tuple(fc.constantFrom('\n', '\r\n'), fc.boolean())
      .map(([eol, header]) =>
        Buffer.from((header ? '[s]' + eol : '') + lines.map((l) => l.join('')).join(eol)),
      ),
  );

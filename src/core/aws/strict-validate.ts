/**
 * botocore's strict reading rules. botocore parses both files with `RawConfigParser()` in strict
 * mode, and one violation anywhere makes the AWS CLI and boto3 fail for every profile. The app
 * refuses to rewrite a file that breaks them, and checks its own output against them before it
 * replaces anything (docs/credentials-file.md, "Guarantees", lists the rules).
 */
import { isUtf8 } from 'node:buffer';
import { parseIni, type IniDocument } from './ini-document.js';

export type StrictRule =
  | 'not-utf8'
  | 'bom'
  | 'lone-cr'
  | 'missing-section-header'
  | 'no-delimiter'
  | 'empty-key'
  | 'duplicate-section'
  | 'duplicate-key';

export interface StrictViolation {
  /** 1-based line number. */
  readonly line: number;
  readonly rule: StrictRule;
  /** What is wrong, naming sections and keys but never values. */
  readonly detail: string;
}

/** Python reads the files as UTF-8 (the locale encoding on Linux and macOS) and fails otherwise. */
function decodeStrict(bytes: Uint8Array): string | StrictViolation {
  if (isUtf8(bytes)) return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString();
  let line = 1;
  for (let start = 0; start < bytes.length; line++) {
    const newline = bytes.indexOf(0x0a, start);
    const end = newline === -1 ? bytes.length : newline;
    if (!isUtf8(bytes.subarray(start, end))) break;
    start = end + 1;
  }
  return { line, rule: 'not-utf8', detail: 'is not valid UTF-8' };
}

/** The file's document, or the first rule it breaks. */
export function parseStrict(bytes: Uint8Array): IniDocument | StrictViolation {
  const text = decodeStrict(bytes);
  if (typeof text !== 'string') return text;
  const doc = parseIni(text);
  return strictViolations(doc)[0] ?? doc;
}

/** Every violation, in line order. An empty list means botocore reads the file. */
export function strictViolations(doc: IniDocument): StrictViolation[] {
  const found: StrictViolation[] = [];
  if (doc.text.charCodeAt(0) === 0xfeff) {
    found.push({ line: 1, rule: 'bom', detail: 'starts with a byte-order mark' });
  }
  const loneCrLines = loneCarriageReturnLines(doc);
  const sectionLines = new Map<string, number>();
  // Keys seen per section name: a repeated [DEFAULT] shares one key set, as in Python.
  const keyLines = new Map<string, Map<string, number>>();
  let section = '';
  let keys = new Map<string, number>();
  for (let index = 0; index < doc.lines.length; index++) {
    const line = doc.lines[index]!;
    const number = index + 1;
    if (loneCrLines.has(index)) {
      found.push({
        line: number,
        rule: 'lone-cr',
        detail:
          'has a carriage return without a line feed (the AWS SDK for JavaScript then reads nothing)',
      });
    }
    if (line.kind === 'header') {
      section = line.name;
      const known = keyLines.get(section);
      if (known === undefined) keyLines.set(section, (keys = new Map()));
      else keys = known;
      // Python merges repeated [DEFAULT] sections; every other repeat is fatal.
      const first = sectionLines.get(section);
      if (first === undefined) {
        sectionLines.set(section, number);
      } else if (section !== 'DEFAULT') {
        found.push({
          line: number,
          rule: 'duplicate-section',
          detail: `repeats section [${section}] (first at line ${first})`,
        });
      }
    } else if (line.section === -1 && (line.kind === 'option' || line.kind === 'junk')) {
      found.push({
        line: number,
        rule: 'missing-section-header',
        detail: 'has content before the first [section] header',
      });
    } else if (line.kind === 'junk') {
      found.push({
        line: number,
        rule: 'no-delimiter',
        detail: 'is not a [section] header, a comment or a key = value line',
      });
    } else if (line.kind === 'option') {
      if (line.name === '') {
        found.push({ line: number, rule: 'empty-key', detail: 'has no key before the = or :' });
      }
      const first = keys.get(line.name);
      if (first === undefined) {
        keys.set(line.name, number);
      } else {
        found.push({
          line: number,
          rule: 'duplicate-key',
          detail: `repeats key ${line.name} in section [${section}] (first at line ${first})`,
        });
      }
    }
  }
  return found;
}

/** Python splits lines at a lone `\r` too, the JS SDK does not: such a file reads differently. */
function loneCarriageReturnLines(doc: IniDocument): Set<number> {
  const result = new Set<number>();
  let at = doc.text.indexOf('\r');
  let line = 0;
  while (at !== -1) {
    if (doc.text.charCodeAt(at + 1) !== 0x0a) {
      while (doc.lines[line]!.end < at) line++;
      result.add(line);
    }
    at = doc.text.indexOf('\r', at + 1);
  }
  return result;
}

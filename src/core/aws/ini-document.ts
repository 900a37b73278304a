/**
 * A lossless line model of an AWS credentials or config file. Every line keeps its exact text and
 * line terminator, so serialising an unedited document gives back the same string. Lines are
 * classified exactly as botocore's parser (Python's `configparser.RawConfigParser()` with default
 * options, `_read` in Lib/configparser.py) reads them: that parser is the strictest reader, and a
 * file it reads one way must not be edited as if it read another way.
 */

export type LineKind = 'blank' | 'comment' | 'header' | 'option' | 'continuation' | 'junk';
export type Eol = '' | '\n' | '\r\n';

export interface IniLine {
  /** Offset of the line's first character in the document text. */
  readonly start: number;
  /** Offset just after the line's text, before its terminator. */
  readonly end: number;
  readonly eol: Eol;
  readonly kind: LineKind;
  /** Header: the section name as Python reads it. Option: the key, lower-cased. Else ''. */
  readonly name: string;
  /** Index of the header line of the section this line is in; -1 before the first header. */
  readonly section: number;
}

export interface IniSection {
  readonly name: string;
  /** Index of the header line. */
  readonly header: number;
  /**
   * Index just after the section's last header, option or continuation line. Blank and comment
   * lines after that point belong to whatever follows (often a comment about the next section).
   */
  readonly end: number;
}

export interface IniDocument {
  readonly text: string;
  readonly lines: readonly IniLine[];
  readonly sections: readonly IniSection[];
  /** The terminator for lines the editor adds: the file's own style, `\n` for an empty file. */
  readonly eol: '\n' | '\r\n';
}

/** Python's `str.isspace()` set, which `str.strip()` and the regex `\S` in `_read` use. */
export function isPythonSpace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || code >= 0x1c;
  if (code < 0x85) return false;
  return (
    code === 0x85 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000
  );
}

const HASH = 0x23;
const SEMICOLON = 0x3b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const EQUALS = 0x3d;
const COLON = 0x3a;
const CR = 0x0d;

export function lineText(doc: IniDocument, index: number): string {
  const line = doc.lines[index]!;
  return doc.text.slice(line.start, line.end);
}

/** Splits on `\n` (a preceding `\r` is part of the terminator) and classifies every line. */
export function parseIni(text: string): IniDocument {
  const lines: IniLine[] = [];
  const sections: { name: string; header: number; end: number }[] = [];
  // Parser state, named after the variables in Python's `_read`.
  let inSection = false;
  let optname: string | null = null;
  let indentLevel = 0;
  let currentHeader = -1;

  let start = 0;
  while (start < text.length) {
    const newline = text.indexOf('\n', start);
    let end = newline === -1 ? text.length : newline;
    let eol: Eol = '';
    if (newline !== -1) {
      if (end > start && text.charCodeAt(end - 1) === CR) {
        end -= 1;
        eol = '\r\n';
      } else {
        eol = '\n';
      }
    }
    const index = lines.length;

    let first = start;
    while (first < end && isPythonSpace(text.charCodeAt(first))) first++;
    let kind: LineKind;
    let name = '';
    if (first === end) {
      kind = 'blank';
    } else {
      const code = text.charCodeAt(first);
      let last = end - 1;
      while (isPythonSpace(text.charCodeAt(last))) last--;
      const indent = first - start;
      if (code === HASH || code === SEMICOLON) {
        kind = 'comment';
      } else if (inSection && optname && indent > indentLevel) {
        kind = 'continuation';
      } else {
        indentLevel = indent;
        // SECTCRE is `\[(?P<header>.+)\]` matched at the start: the name runs to the last `]`.
        let close = code === OPEN_BRACKET ? last : first;
        while (close > first && text.charCodeAt(close) !== CLOSE_BRACKET) close--;
        if (close >= first + 2) {
          kind = 'header';
          name = text.slice(first + 1, close);
          inSection = true;
          optname = null;
          if (currentHeader !== -1) sections[sections.length - 1]!.end = lastSignificant(lines) + 1;
          currentHeader = index;
          sections.push({ name, header: index, end: index + 1 });
        } else {
          // OPTCRE: the key is everything before the first `=` or `:`, right-stripped.
          let delimiter = first;
          while (delimiter <= last) {
            const c = text.charCodeAt(delimiter);
            if (c === EQUALS || c === COLON) break;
            delimiter++;
          }
          if (delimiter > last) {
            kind = 'junk';
          } else {
            kind = 'option';
            let keyEnd = delimiter;
            while (keyEnd > first && isPythonSpace(text.charCodeAt(keyEnd - 1))) keyEnd--;
            name = text.slice(first, keyEnd).toLowerCase();
            // Before the first header Python stops with MissingSectionHeaderError; keep no state.
            if (inSection) optname = name;
          }
        }
      }
    }
    lines.push({ start, end, eol, kind, name, section: currentHeader });
    start = newline === -1 ? text.length : newline + 1;
  }
  if (currentHeader !== -1) sections[sections.length - 1]!.end = lastSignificant(lines) + 1;

  const firstEol = lines.length > 0 ? lines[0]!.eol : '';
  return { text, lines, sections, eol: firstEol === '\r\n' ? '\r\n' : '\n' };
}

function lastSignificant(lines: readonly IniLine[]): number {
  let i = lines.length - 1;
  while (lines[i]!.kind === 'blank' || lines[i]!.kind === 'comment') i--;
  return i;
}

/**
 * Index just after an option's last continuation line. Blank and comment lines between the
 * option and a continuation belong to it; those after the last continuation do not.
 */
export function optionEnd(doc: IniDocument, option: number): number {
  let end = option + 1;
  for (let i = option + 1; i < doc.lines.length; i++) {
    const kind = doc.lines[i]!.kind;
    if (kind === 'continuation') end = i + 1;
    else if (kind !== 'blank' && kind !== 'comment') break;
  }
  return end;
}

export function findSection(doc: IniDocument, name: string): IniSection | undefined {
  return doc.sections.find((section) => section.name === name);
}

/** The value of `key` in a section as Python reads a one-line value: after `=` or `:`, trimmed. */
export function optionValue(
  doc: IniDocument,
  section: IniSection,
  key: string,
): string | undefined {
  for (let i = section.header + 1; i < section.end; i++) {
    const line = doc.lines[i]!;
    if (line.kind !== 'option' || line.name !== key) continue;
    const text = lineText(doc, i);
    const at = text.search(/[=:]/);
    return at < 0 ? undefined : text.slice(at + 1).trim();
  }
  return undefined;
}

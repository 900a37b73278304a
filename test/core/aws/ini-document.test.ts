import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findSection, optionEnd, parseIni } from '../../../src/core/aws/ini-document.js';
import { IniEditor } from '../../../src/core/aws/managed-sections.js';

const kinds = (text: string): string[] =>
  parseIni(text).lines.map((line) => (line.name ? `${line.kind}:${line.name}` : line.kind));

describe('parseIni', () => {
  it('gives back the exact text when nothing is edited, whatever the bytes', () => {
    const chars = fc.constantFrom(
      '[',
      ']',
      '=',
      ':',
      '#',
      ';',
      ' ',
      '\t',
      '\r',
      '\n',
      'a',
      'Z',
      '\ufeff',
      'é',
    );
    fc.assert(
      fc.property(fc.array(chars, { maxLength: 60 }), (parts) => {
        const text = parts.join('');
        expect(new IniEditor(parseIni(text)).toText()).toBe(text);
      }),
      { numRuns: 2000 },
    );
  });

  it('keeps each line terminator and the missing final newline', () => {
    const doc = parseIni('[a]\r\nk = v\nx = y');
    expect(doc.lines.map((l) => l.eol)).toEqual(['\r\n', '\n', '']);
    expect(doc.eol).toBe('\r\n');
    expect(parseIni('').eol).toBe('\n');
  });

  it('classifies lines as botocore does', () => {
    expect(
      kinds('# c\n; d\n[a] # note\nK: v\nempty =\n  more\n\n    still more\n[a]b]\njunk\n'),
    ).toEqual([
      'comment',
      'comment',
      'header:a',
      'option:k',
      'option:empty',
      'continuation',
      'blank',
      'continuation',
      'header:a]b',
      'junk',
    ]);
  });

  it('reads an indented line after a setting as part of its value, even a header', () => {
    expect(kinds('[a]\nk = v\n  [b]\n')).toEqual(['header:a', 'option:k', 'continuation']);
    // After a header there is no value to continue: the indented line is a setting.
    expect(kinds('[a]\n  k = v\n  j = w\n')).toEqual(['header:a', 'option:k', 'option:j']);
  });

  it('treats a byte-order mark as content, as Python does', () => {
    expect(kinds('\ufeff[a]\n')).toEqual(['junk']);
  });

  it('ends a section at its last setting: trailing comments belong to what follows', () => {
    const doc = parseIni('[a]\nk = v\n  more\n\n# about b\n[b]\n');
    expect(findSection(doc, 'a')).toEqual({ name: 'a', header: 0, end: 3 });
    expect(optionEnd(doc, 1)).toBe(3);
  });
});

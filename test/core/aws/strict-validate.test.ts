import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIni } from '../../../src/core/aws/ini-document.js';
import {
  parseStrict,
  strictViolations,
  type StrictRule,
  type StrictViolation,
} from '../../../src/core/aws/strict-validate.js';
import { generatedFile, lineSoup, mutated } from './support/ini-corpus.js';
import { readWithPython, type PythonRead } from './support/python-oracle.js';
import { pythonView } from './support/python-values.js';

function violationsOf(text: string | Uint8Array): StrictViolation[] {
  const result = parseStrict(typeof text === 'string' ? Buffer.from(text) : text);
  if ('rule' in result) {
    // parseStrict stops at the first; the full list is what the cross-check compares.
    return result.rule === 'not-utf8'
      ? [result]
      : strictViolations(parseIni(Buffer.from(text).toString()));
  }
  return [];
}

const rulesAndLines = (text: string): [StrictRule, number][] =>
  violationsOf(text).map((v) => [v.rule, v.line]);

describe('strict rules (botocore)', () => {
  it('accepts what botocore accepts: comments, CRLF, `:` keys, empty values, odd headers', () => {
    const text = '# c\r\n; d\r\n[a]\r\nk: v\r\nempty =\r\n  continued\r\n[ spaced ] # note\r\nx=1';
    expect(rulesAndLines(text)).toEqual([]);
  });

  it('names the line and rule of each violation, never a value', () => {
    // Python stops at the first; the list goes on, since no section ever started.
    expect(rulesAndLines('\ufeff[a]\nk = v\n')).toEqual([
      ['bom', 1],
      ['missing-section-header', 1],
      ['missing-section-header', 2],
    ]);
    expect(rulesAndLines('k = secret\n[a]\n')).toEqual([['missing-section-header', 1]]);
    expect(rulesAndLines('[a]\nk = 1\n[b]\n[a]\n')).toEqual([['duplicate-section', 4]]);
    expect(rulesAndLines('[a]\nk = 1\nK: 2\n')).toEqual([['duplicate-key', 3]]);
    expect(rulesAndLines('[a]\nsecret-looking-line\n')).toEqual([['no-delimiter', 2]]);
    expect(rulesAndLines('[a]\n= v\n')).toEqual([['empty-key', 2]]);
    expect(rulesAndLines('[a]\nk = v\rw = x\n')).toEqual([['lone-cr', 2]]);
    expect(violationsOf(Buffer.from([0x5b, 0x61, 0x5d, 0x0a, 0x6b, 0x3d, 0xff, 0x0a]))).toEqual([
      { line: 2, rule: 'not-utf8', detail: 'is not valid UTF-8' },
    ]);
    const [duplicate] = violationsOf(
      '[a]\naws_secret_access_key = s3cr3t\nAWS_SECRET_ACCESS_KEY = s3cr3t\n',
    );
    expect(duplicate!.detail).toBe(
      'repeats key aws_secret_access_key in section [a] (first at line 2)',
    );
  });

  it('merges repeated [DEFAULT] sections as Python does, but not their keys', () => {
    expect(rulesAndLines('[DEFAULT]\na = 1\n[DEFAULT]\nb = 2\n')).toEqual([]);
    expect(rulesAndLines('[DEFAULT]\na = 1\n[DEFAULT]\na = 2\n')).toEqual([['duplicate-key', 4]]);
  });

  it('agrees with Python configparser.RawConfigParser on 10,000 generated files', () => {
    const sample = <T>(arbitrary: fc.Arbitrary<T>, numRuns: number, seed: number): T[] =>
      fc.sample(arbitrary, { numRuns, seed });
    const corpus: Uint8Array[] = [
      ...sample(generatedFile('credentials'), 3000, 11).map((f) => Buffer.from(f.text)),
      ...sample(generatedFile('config'), 2000, 12).map((f) => Buffer.from(f.text)),
      ...sample(mutated('credentials'), 2000, 13),
      ...sample(mutated('config'), 1000, 14),
      ...sample(lineSoup, 2000, 15),
    ];
    const python = readWithPython(corpus);
    let valid = 0;
    corpus.forEach((bytes, i) => {
      const verdict = python[i]!;
      const ours = violationsOf(bytes);
      const context = `file #${i}: ${JSON.stringify(Buffer.from(bytes).toString())}`;
      expect(ours.length === 0, context).toBe(verdict.ok);
      if (verdict.ok) {
        valid += 1;
        const { sections, defaults } = pythonView(parseIni(Buffer.from(bytes).toString()));
        expect({ sections, defaults }, context).toEqual({
          sections: verdict.sections,
          defaults: verdict.defaults,
        });
      } else {
        expect(pythonErrorSeenByUs(verdict, ours), context).toBe(true);
      }
    });
    // Both outcomes must be well represented for the comparison to mean something.
    expect(valid).toBeGreaterThan(5000);
    expect(corpus.length - valid).toBeGreaterThan(1500);
    // 10,000 files and one Python run: about 11 s with both cores busy twice over; the bound
    // tolerates a far busier machine.
  }, 240_000);
});

const PARSING_RULES: readonly StrictRule[] = ['no-delimiter', 'empty-key'];

/**
 * Python collects lines without a delimiter and raises them at the end, but stops at once at a
 * duplicate or a missing header. So its error must be our first fatal violation, or, when it
 * raised a ParsingError, exactly our list.
 */
function pythonErrorSeenByUs(
  verdict: Extract<PythonRead, { ok: false }>,
  ours: StrictViolation[],
): boolean {
  if (verdict.error === 'UnicodeDecodeError') return ours[0]?.rule === 'not-utf8';
  if (verdict.error === 'ParsingError') {
    return (
      ours.every((v) => PARSING_RULES.includes(v.rule)) &&
      JSON.stringify([...new Set(ours.map((v) => v.line))]) === JSON.stringify(verdict.lines)
    );
  }
  const firstFatal = ours.find((v) => !PARSING_RULES.includes(v.rule));
  return firstFatal?.line === verdict.lines[0];
}

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plainVaultErrors } from '../../../src/core/vault/errors.js';
import { stripControlChars } from '../../../src/shared/strip-control.js';

describe('stripControlChars: server text made one plain line', () => {
  it.each([
    ['colour (CSI) sequences', '\u001b[31mred\u001b[0m text', 'red text'],
    ['a cursor move and screen clear', 'a\u001b[2J\u001b[1;1Hb', 'ab'],
    ['a title change (OSC, BEL)', '\u001b]0;owned\u0007ok', 'ok'],
    ['a hyperlink (OSC 8, ST)', '\u001b]8;;http://x\u001b\\link\u001b]8;;\u001b\\', 'link'],
    ['a device control string', '\u001bPq#0;1\u001b\\after', 'after'],
    ['a charset switch', '\u001b(0box\u001b(B', 'box'],
    ['C1 controls (CSI, DCS; NEL breaks a line)', 'a\u009b31mb\u0085c\u0090x\u009cd', 'ab cd'],
    [
      'newlines and tabs become spaces',
      'first\nsecond\r\nthird\tfourth',
      'first second third fourth',
    ],
    ['other C0 controls and DEL', 'a\u0000b\u0007c\u0008d\u007fe', 'abcde'],
    ['Unicode line separators and bidi overrides', 'a\u2028b\u202eevil\u202c', 'a bevil'],
    ['a bare ESC at the end', 'trailing\u001b', 'trailing'],
    ['leading and trailing breaks', '\n  words \n', 'words'],
    ['ordinary text', 'Role "dev" not found: ünïcode ✓', 'Role "dev" not found: ünïcode ✓'],
  ])('%s', (_name, input, output) => {
    expect(stripControlChars(input)).toBe(output);
  });

  it('never leaves a control character or a line break, whatever comes in', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        // eslint-disable-next-line no-control-regex -- looking for control characters
        expect(stripControlChars(text)).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/);
      }),
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const once = stripControlChars(text);
        expect(stripControlChars(once)).toBe(once);
      }),
    );
  });

  it('cleans Vault’s own words where VaultError messages quote them', () => {
    expect(
      plainVaultErrors([
        '1 error occurred:\n\t* \u001b[31mpermission denied\u001b[0m\n\n',
        '\u001b[1mboom\u001b[0m\nsecond line',
        '\u001b[0m',
      ]),
    ).toEqual(['permission denied', 'boom second line']);
  });
});

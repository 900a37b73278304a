/**
 * Text that came from a server (Vault's error strings, an identity provider's error_description)
 * made safe to print on one line: a terminal must not run its escape sequences, and a line break
 * must not start a line that looks like ours. Pure, so every layer can use it.
 */
/* eslint-disable no-control-regex -- matching control characters is the point */

// ESC, or its C1 form, then a string command (OSC, DCS, SOS, PM, APC) up to its terminator
// (BEL or ST), or the end of the text when it has none, as a terminal would swallow it.
const STRING_SEQUENCE =
  /(?:\u001b[\]PX^_]|[\u0090\u0098\u009d-\u009f])[^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?/g;
// A control sequence (CSI): parameters, intermediates, one final byte.
const CONTROL_SEQUENCE = /(?:\u001b\[|\u009b)[0-?]*[ -/]*[@-~]?/g;
// Any other escape: intermediates and one final byte (charset switches, keypad modes, ...).
const OTHER_ESCAPE = /\u001b[ -/]*[0-~]?/g;
// Line and tab controls, and Unicode's own line and paragraph separators.
const BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]+/g;
// What is left of C0, DEL and C1, and the bidirectional overrides that reorder what is shown.
const CONTROLS = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The text without escape sequences or control characters; line breaks and tabs become spaces. */
export function stripControlChars(text: string): string {
  return text
    .replace(STRING_SEQUENCE, '')
    .replace(CONTROL_SEQUENCE, '')
    .replace(OTHER_ESCAPE, '')
    .replace(BREAKS, ' ')
    .replace(CONTROLS, '')
    .trim();
}

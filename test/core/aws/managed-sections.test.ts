import { describe, expect, it } from 'vitest';
import { parseIni } from '../../../src/core/aws/ini-document.js';
import {
  IniEditor,
  configEntries,
  credentialEntries,
  disturbedSection,
  rfc3339,
  type Entry,
} from '../../../src/core/aws/managed-sections.js';

const CREDS = {
  accessKeyId: 'AKIANEW',
  secretAccessKey: 'secret/+new',
  sessionToken: 'token==',
  expiresAt: new Date('2030-05-06T07:08:09.999Z'),
};
const WRITTEN = [
  'aws_access_key_id = AKIANEW',
  'aws_secret_access_key = secret/+new',
  'aws_session_token = token==',
  'x_security_token_expires = 2030-05-06T07:08:09Z',
];

function set(
  text: string,
  section: string,
  entries: readonly Entry[] = credentialEntries(CREDS),
): string {
  const editor = new IniEditor(parseIni(text));
  editor.setEntries(section, entries);
  return editor.toText();
}

describe('setEntries', () => {
  it('appends a new section after one blank line, in the file’s line style', () => {
    expect(set('[a]\r\nk = v\r\n', 'dev')).toBe(
      `[a]\r\nk = v\r\n\r\n[dev]\r\n${WRITTEN.join('\r\n')}\r\n`,
    );
    expect(set('', 'dev')).toBe(`[dev]\n${WRITTEN.join('\n')}\n`);
    // Already ends with a blank line: no second one.
    expect(set('[a]\nk = v\n\n', 'dev')).toBe(`[a]\nk = v\n\n[dev]\n${WRITTEN.join('\n')}\n`);
  });

  it('keeps a missing final newline missing, adding only the line end the new text needs', () => {
    expect(set('[a]\nk = v', 'dev')).toBe(`[a]\nk = v\n\n[dev]\n${WRITTEN.join('\n')}`);
    expect(set('[dev]\naws_access_key_id = OLD', 'dev')).toBe(
      `[dev]\n${WRITTEN[0]}\n${WRITTEN.slice(1).join('\n')}`,
    );
  });

  it('rewrites managed keys in place and leaves every other line of the section alone', () => {
    const before = [
      '[dev] # mine',
      '; keep this comment',
      '  AWS_ACCESS_KEY_ID: OLD',
      '    continuation of the old key',
      '  region = eu-west-1',
      '  aws_security_token = STALE',
      '  aws_secret_access_key=OLD',
      '  x_security_token_expires = 2020-01-01T00:00:00Z',
      '',
      '# about prod',
      '[prod]',
      'aws_access_key_id = PROD',
      '',
    ].join('\n');
    expect(set(before, 'dev')).toBe(
      [
        '[dev] # mine',
        '; keep this comment',
        // Indentation is structure to Python: a rewritten line keeps it.
        '  aws_access_key_id = AKIANEW',
        '  region = eu-west-1',
        '  aws_secret_access_key = secret/+new',
        '  x_security_token_expires = 2030-05-06T07:08:09Z',
        'aws_session_token = token==',
        '',
        '# about prod',
        '[prod]',
        'aws_access_key_id = PROD',
        '',
      ].join('\n'),
    );
  });

  it('deletes the session token when the credentials have none', () => {
    const text = '[dev]\naws_access_key_id = A\naws_session_token = OLD\n';
    expect(set(text, 'dev', credentialEntries({ ...CREDS, sessionToken: undefined }))).toBe(
      '[dev]\naws_access_key_id = AKIANEW\naws_secret_access_key = secret/+new\nx_security_token_expires = 2030-05-06T07:08:09Z\n',
    );
  });

  it('sets region and output in config and removes key material from it', () => {
    const text = '[profile dev]\nregion = us-east-1\naws_access_key_id = STATIC\ncli_pager =\n';
    expect(set(text, 'profile dev', configEntries({ region: 'eu-west-1' }))).toBe(
      '[profile dev]\nregion = eu-west-1\ncli_pager =\n',
    );
    // Nothing to write: no section is created.
    expect(set('', 'profile dev', configEntries({}))).toBe('');
  });
});

describe('replaceSection and removeSection', () => {
  const text = '[a]\nk = v\n\n[dev]\nrole_arn = x\n# note\n[b]\nj = w';

  it('replaces an adopted section where it stands', () => {
    const editor = new IniEditor(parseIni(text));
    expect(editor.sectionText('dev')).toBe('[dev]\nrole_arn = x\n');
    editor.replaceSection('dev', credentialEntries(CREDS));
    expect(editor.toText()).toBe(`[a]\nk = v\n\n[dev]\n${WRITTEN.join('\n')}\n# note\n[b]\nj = w`);
  });

  it('removes a section and nothing else', () => {
    const editor = new IniEditor(parseIni(text));
    editor.removeSection('dev');
    expect(editor.toText()).toBe('[a]\nk = v\n\n# note\n[b]\nj = w');
  });
});

describe('disturbedSection', () => {
  it('catches an edit that would make Python read an indented header as a value', () => {
    const before = parseIni('[a]\nk = v\n[dev]\n  [b]\nj = w\n');
    const editor = new IniEditor(before);
    editor.removeSection('dev');
    const after = parseIni(editor.toText());
    expect(disturbedSection(before, after, new Set(['dev']))).toBe(4);
  });

  it('passes edits that leave every other section as it was read', () => {
    const before = parseIni('[a]\nk = v\n[dev]\nx = 1\n[b]\nj = w\n');
    const editor = new IniEditor(before);
    editor.removeSection('dev');
    expect(disturbedSection(before, parseIni(editor.toText()), new Set(['dev']))).toBeUndefined();
  });
});

describe('rfc3339', () => {
  it('writes UTC with whole seconds, rounding down', () => {
    expect(rfc3339(new Date('2026-01-02T03:04:05.999Z'))).toBe('2026-01-02T03:04:05Z');
  });
});

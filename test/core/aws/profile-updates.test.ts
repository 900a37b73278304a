import { existsSync, rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CredentialsFileWriter,
  updateProblem,
  type ProfileUpdate,
} from '../../../src/core/aws/credentials-file-writer.js';
import { REGION_RULE } from '../../../src/shared/fields.js';
import { profileNameProblem } from '../../../src/shared/profile-name.js';
import { SECRET, refusal, scratch, update, type Scratch } from './support/writer-files.js';

let files: Scratch;
beforeEach(() => {
  files = scratch('vat-updates-');
});
afterEach(() => rmSync(files.dir, { recursive: true, force: true }));

const writer = (): CredentialsFileWriter =>
  new CredentialsFileWriter({
    paths: { credentialsFile: files.credentialsFile, configFile: files.configFile },
    lockWaitMs: 2_000,
  });

const HELPER = '/opt/vat/bin/vault-aws-tray';
const good = update('dev', 1, 'eu-west-1');
const withSecret = (secretAccessKey: string): ProfileUpdate => ({
  ...good,
  credentials: { ...good.credentials, secretAccessKey },
});
const plainRule = 'it must be printable ASCII without spaces or quotes.';

/** Each bad update, with the kind and message the writer has always refused it with. */
const BAD: [string, ProfileUpdate, string, string][] = [
  [
    'a name with a space',
    update('my profile'),
    'invalid-profile-name',
    profileNameProblem('my profile')!,
  ],
  [
    'a secret with a space from Vault',
    withSecret(`${SECRET} x`),
    'invalid-input',
    `The secretAccessKey for profile dev cannot be written: ${plainRule}`,
  ],
  [
    'a region with a newline and a section header',
    { ...good, region: 'eu-west-1\n[default]' },
    'invalid-input',
    `The region for profile dev cannot be written: ${plainRule}`,
  ],
  [
    'a quoted region',
    { ...good, region: '"eu-west-1"' },
    'invalid-input',
    `The region for profile dev cannot be written: ${plainRule}`,
  ],
  [
    'a region that is no region name',
    { ...good, region: '[default]' },
    'invalid-input',
    `The region for profile dev cannot be written: ${REGION_RULE}`,
  ],
  [
    'an output with a space',
    { ...good, output: 'json x' },
    'invalid-input',
    `The output for profile dev cannot be written: ${plainRule}`,
  ],
  [
    'a command with a comment character',
    { profile: 'ci', credentialProcess: `${HELPER} #ci` },
    'invalid-input',
    'The credential_process command for profile ci cannot be written: it must be printable ASCII words separated by single spaces, without quotes or comment characters.',
  ],
  [
    'an expiry that is no date',
    { ...good, credentials: { ...good.credentials, expiresAt: new Date(NaN) } },
    'invalid-input',
    'The expiry for profile dev is not a valid date.',
  ],
];

describe('updateProblem', () => {
  it('finds nothing wrong with a good file or process update', () => {
    expect(updateProblem(good)).toBeUndefined();
    expect(updateProblem({ ...good, region: '', output: '' })).toBeUndefined();
    expect(
      updateProblem({ profile: 'ci', credentialProcess: `${HELPER} credential-process ci` }),
    ).toBeUndefined();
  });

  for (const [what, bad, kind, message] of BAD) {
    it(`names the profile and the field for ${what}, as the writer refuses it`, async () => {
      const problem = updateProblem(bad);
      expect([problem?.kind, problem?.message]).toEqual([kind, message]);
      expect(problem!.message).not.toContain(SECRET);
      // The writer refuses the whole batch for the same reason, writing nothing.
      const error = await refusal(writer().applyProfiles([update('ok'), bad]));
      expect([error.kind, error.message]).toEqual([kind, message]);
      expect(existsSync(files.credentialsFile)).toBe(false);
    });
  }

  it('lets a caller leave the bad updates out and write the rest of the batch', async () => {
    const batch = [update('a'), ...BAD.map(([, bad]) => bad), update('b')];
    const writable = batch.filter((u) => updateProblem(u) === undefined);
    expect(writable.map((u) => u.profile)).toEqual(['a', 'b']);
    const report = await writer().applyProfiles(writable);
    expect(report.written).toEqual([files.credentialsFile]);
  });

  it('leaves a profile twice in one batch to the writer', async () => {
    expect(updateProblem(good)).toBeUndefined();
    const error = await refusal(writer().applyProfiles([good, good]));
    expect([error.kind, error.message]).toEqual([
      'invalid-input',
      'Profile dev appears twice in one write.',
    ]);
  });
});

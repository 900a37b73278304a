import { describe, expect, it } from 'vitest';
import { profileNameProblem } from '../../src/shared/profile-name.js';

describe('profileNameProblem', () => {
  it('accepts the characters every SDK reads alike', () => {
    for (const name of ['default', 'dev', 'team.prod-1', 'A_b'])
      expect(profileNameProblem(name)).toBeUndefined();
  });

  it('refuses anything else with a sentence that names the rule', () => {
    expect(profileNameProblem('')).toBe('A profile name cannot be empty.');
    for (const name of ['my profile', 'a/b', '[x]', 'é', 'x\n']) {
      expect(profileNameProblem(name)).toMatch(
        /may only contain letters, digits, "\.", "_" and "-"\.$/,
      );
    }
  });

  it('refuses names that pass the rule but break a reader', () => {
    expect(profileNameProblem('DEFAULT')).toMatch(/reserved: Python .* \[DEFAULT\]/);
    expect(profileNameProblem('__proto__')).toMatch(/reserved: the AWS SDK for JavaScript/);
  });
});

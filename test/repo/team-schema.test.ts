import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { describe, expect, it } from 'vitest';
import { TEAM_SCHEMA_FILE, teamSchemaText } from '../../scripts/team-schema.js';
import { parseTeamSettings } from '../../src/shared/team-settings.js';

/** The first ```json block of docs/team-settings.md: the example a platform team starts from. */
function docExample(): string {
  const doc = readFileSync('docs/team-settings.md', 'utf8');
  const block = /^```json\n([\s\S]*?)^```$/m.exec(doc);
  if (!block) throw new Error('docs/team-settings.md has no ```json block');
  return block[1]!;
}

describe('docs/team-settings.schema.json and docs/team-settings.md', () => {
  it('the committed schema is what `npm run team-schema` makes now', () => {
    expect(readFileSync(TEAM_SCHEMA_FILE, 'utf8')).toBe(teamSchemaText());
  });

  it('the doc’s example is a team file the app accepts, and the schema agrees', () => {
    const example = docExample();
    const team = parseTeamSettings(example, 'docs/team-settings.md');
    expect(Object.keys(team.profiles).length).toBeGreaterThan(0);
    expect(team.vault?.address).toMatch(/^https:/);

    // Strict: an editor or a CI check can use the schema as it is (no unknown keywords or formats).
    const ajv = new Ajv2020({ strict: true, allErrors: true });
    addFormats.default(ajv);
    const validate = ajv.compile(JSON.parse(readFileSync(TEAM_SCHEMA_FILE, 'utf8')) as object);
    expect(validate(JSON.parse(example)), JSON.stringify(validate.errors)).toBe(true);
    const typo = { ...(JSON.parse(example) as object), profile: {} };
    expect(validate(typo)).toBe(false);
  });
});

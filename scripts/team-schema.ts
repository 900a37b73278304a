/**
 * `npm run team-schema`: writes docs/team-settings.schema.json, the JSON Schema of the team file,
 * from its zod schema (src/shared/team-settings.ts). test/repo/team-schema.test.ts fails while
 * the committed file differs from what this makes.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { teamSettingsJsonSchema } from '../src/shared/team-settings.js';

export const TEAM_SCHEMA_FILE = fileURLToPath(
  new URL('../docs/team-settings.schema.json', import.meta.url),
);

export const teamSchemaText = (): string =>
  `${JSON.stringify(teamSettingsJsonSchema(), null, 2)}\n`;

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(TEAM_SCHEMA_FILE, teamSchemaText());
  process.stdout.write(`wrote ${TEAM_SCHEMA_FILE}\n`);
}

import { profileNameProblem } from './profile-name.js';
import { newBindingSchema, vaultSettingsSchema } from './settings.js';
import { z } from './zod.js';

/**
 * A team's settings in one file (docs/team-settings.md): where Vault is, how to sign in, and the
 * profiles to make. `vault-aws-tray setup`, the window's "Use team settings…" and the system-wide
 * defaults file all read it with this schema, whose rules are the settings file's and the new
 * profile's (src/shared/settings.ts).
 */
export const TEAM_SETTINGS_VERSION = 1;

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/;

/** The saved Vault settings' fields a team hands out, and the CA inline as well as by path. */
export const teamVaultSchema = vaultSettingsSchema
  .pick({
    address: true,
    namespace: true,
    caFile: true,
    serverName: true,
    authMethod: true,
    authMount: true,
    authRole: true,
    callbackPort: true,
    proxy: true,
    issuer: true,
    clientId: true,
    scopes: true,
  })
  .extend({
    caFile: z.string().min(1).optional().describe('A CA bundle by path; `~/` is the home folder.'),
    caPem: z
      .string()
      .regex(PEM_CERTIFICATE, 'caPem holds PEM certificates (-----BEGIN CERTIFICATE-----)')
      .optional()
      .describe('The CA bundle itself, for machines where its path differs.'),
  })
  .strict()
  .refine((vault) => !(vault.caFile && vault.caPem), {
    message: 'give the CA as caFile or as caPem, not both',
  });

export const teamSettingsSchema = z
  .object({
    $schema: z.string().optional(),
    version: z.literal(TEAM_SETTINGS_VERSION).default(TEAM_SETTINGS_VERSION),
    vault: teamVaultSchema.optional(),
    profiles: z
      .record(z.string(), newBindingSchema)
      .default({})
      .superRefine((profiles, ctx) => {
        for (const name of Object.keys(profiles)) {
          const problem = profileNameProblem(name);
          if (problem) ctx.addIssue({ code: 'custom', path: [name], message: problem });
        }
      }),
  })
  .strict()
  .refine((team) => team.vault !== undefined || Object.keys(team.profiles).length > 0, {
    message: 'a team file names the Vault, profiles, or both',
  });

export type TeamSettings = z.infer<typeof teamSettingsSchema>;
export type TeamVault = z.infer<typeof teamVaultSchema>;

export class TeamSettingsError extends Error {
  override readonly name = 'TeamSettingsError';
}

/** The team file's settings, or a refusal naming the source and the field. */
export function parseTeamSettings(text: string, source: string): TeamSettings {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new TeamSettingsError(`${source} is not JSON (${(error as Error).message})`);
  }
  if (typeof raw === 'object' && raw !== null && 'version' in raw) {
    const version = (raw as { version: unknown }).version;
    if (typeof version === 'number' && version > TEAM_SETTINGS_VERSION)
      throw new TeamSettingsError(
        `${source} is for a newer vault-aws-tray (team settings version ${version}); update the app`,
      );
  }
  const parsed = teamSettingsSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.join('.');
    throw new TeamSettingsError(`${source}: ${where ? `${where}: ` : ''}${issue.message}`);
  }
  return parsed.data;
}

/** The JSON Schema of the team file, as docs/team-settings.schema.json holds it. */
export function teamSettingsJsonSchema(): unknown {
  return z.toJSONSchema(teamSettingsSchema, { io: 'input', target: 'draft-2020-12' });
}

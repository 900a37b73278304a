import {
  AWS_REGION,
  AWS_REGION_MAX,
  LEAD_SECONDS,
  PORT,
  ROLE_ARN_MAX,
  TTL_SECONDS,
  VAULT_NAME,
  VAULT_PATH,
  VAULT_PATH_MAX,
  vaultNameRule,
  REGION_RULE,
  rangeProblem,
  vaultPathRule,
} from './fields.js';
import { profileNameProblem } from './profile-name.js';
import { z } from './zod.js';

/**
 * The app's settings: one schema and one migration list for the tray app and the CLI, which
 * share the file `config.json` in the settings folder. Secrets never live here.
 */

export const SETTINGS_VERSION = 1;

const durationSeconds = z.number().int().positive();

/** One AWS profile fed by one Vault role. Ownership of the profile lives here, not in the file. */
export const profileSettingsSchema = z.object({
  mount: z.string().min(1).default('aws'),
  role: z.string().min(1),
  endpoint: z.enum(['creds', 'sts']).default('creds'),
  ttlSeconds: durationSeconds.min(TTL_SECONDS.min).optional(),
  roleArn: z.string().optional(),
  roleSessionName: z.string().optional(),
  region: z.string().optional(),
  /** Refresh this long before expiry; a third of the lifetime when absent (at most half of it). */
  leadSeconds: durationSeconds.optional(),
  /**
   * `file`: static keys in the credentials file. `process`: the config file runs
   * `credential-process` and the credentials file has no section (its keys would win).
   */
  delivery: z.enum(['file', 'process']).default('file'),
  /** An existing section of this name is taken over (its old text backed up) at the first write. */
  adopt: z.boolean().default(false),
  /** Set once the app has written the profile: from then on it is the app's to rewrite. */
  written: z.boolean().default(false),
});

export const vaultSettingsSchema = z.object({
  address: z.url({ protocol: /^https?$/ }),
  namespace: z.string().default(''),
  caFile: z.string().optional(),
  caPath: z.string().optional(),
  serverName: z.string().optional(),
  skipVerify: z.boolean().default(false),
  authMethod: z.enum(['token', 'oidc', 'jwt']).default('oidc'),
  authMount: z.string().optional(),
  authRole: z.string().optional(),
  /** An HTTP(S) proxy for Vault: apps started from the desktop do not see HTTPS_PROXY. */
  proxy: z.url({ protocol: /^https?$/ }).optional(),
  /** The loopback port of the oidc method's callback (the vault CLI's 8250 when absent). */
  callbackPort: z.number().int().min(PORT.min).max(PORT.max).optional(),
  /** The jwt method: the identity provider and the app's public client there. */
  issuer: z.string().optional(),
  clientId: z.string().optional(),
  scopes: z.string().optional(),
});

export const settingsSchema = z.object({
  version: z.number().int().default(SETTINGS_VERSION),
  vault: vaultSettingsSchema.optional(),
  profiles: z
    .record(z.string(), profileSettingsSchema)
    .default({})
    .refine(
      (profiles) => Object.keys(profiles).every((name) => profileNameProblem(name) === undefined),
      {
        message: 'a profile name is not a valid AWS profile name',
      },
    ),
  engine: z
    .object({
      /** Refresh this long before expiry unless a profile says otherwise; absent: a third. */
      leadSeconds: durationSeconds.optional(),
      /** A managed profile changed by another program: write it back, or stop managing it. */
      externalEdits: z.enum(['restore', 'detach']).default('restore'),
      /** Remove a profile's sections once its credentials have expired and cannot be refreshed. */
      removeExpired: z.boolean().default(false),
      notifications: z.boolean().default(true),
      /** Warn this long before the Vault session's hard end. */
      sessionEndingSoonMinutes: z.number().int().positive().default(15),
      /**
       * With no engine running, `credential-process`, `env` and `exec` keep what they read from
       * Vault in credentials-cache.json (0600) until it has less than 15 minutes left.
       */
      credentialCache: z.boolean().default(true),
    })
    .default({
      externalEdits: 'restore',
      removeExpired: false,
      notifications: true,
      sessionEndingSoonMinutes: 15,
      credentialCache: true,
    }),
  /** `vault-aws-tray console` and the tray's "Open console". */
  console: z
    .object({
      /** A browser command with `{url}` (e.g. a browser profile per AWS account); the OS's when absent. */
      browser: z.string().min(1).max(1024).optional(),
    })
    .default({}),
  files: z
    .object({
      credentialsFile: z.string().optional(),
      configFile: z.string().optional(),
      /** Write into the files instead of replacing them (single-file bind mounts). */
      inPlace: z.boolean().default(false),
    })
    .default({ inPlace: false }),
});

/** A whole number of seconds in `limits`, refused in words that name the field. */
const seconds = (limits: { min: number; max: number }, what: string) => {
  // min and max rather than a refinement: the team file's JSON Schema then carries the range.
  const message = rangeProblem(NaN, limits, what, ' seconds');
  return z.number().int(message).min(limits.min, message).max(limits.max, message);
};

/**
 * A profile as a user, the window or a team file gives it: the stricter rules of
 * src/shared/fields.ts. (Settings files already saved are read with the schema above, so a value
 * written by an older version never makes the whole file unreadable.)
 */
export const newBindingSchema = z
  .object({
    mount: z
      .string()
      .max(VAULT_PATH_MAX)
      .regex(VAULT_PATH, vaultPathRule('The mount'))
      .default('aws'),
    role: z.string().max(VAULT_PATH_MAX).regex(VAULT_NAME, vaultNameRule('The role')),
    endpoint: z.enum(['creds', 'sts']).default('creds'),
    ttlSeconds: seconds(TTL_SECONDS, 'The lifetime').optional(),
    leadSeconds: seconds(LEAD_SECONDS, 'The refresh lead').optional(),
    roleArn: z
      .string()
      // A pattern, not startsWith: the team file's JSON Schema then has no made-up "format".
      .regex(/^arn:/, 'A role ARN starts with "arn:".')
      .max(ROLE_ARN_MAX)
      .optional(),
    roleSessionName: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/, 'A session name is 2 to 64 of letters, digits and +=,.@_-.')
      .optional(),
    region: z.string().max(AWS_REGION_MAX).regex(AWS_REGION, REGION_RULE).optional(),
    delivery: z.enum(['file', 'process']).default('file'),
    adopt: z.boolean().default(false),
  })
  .strict();

export type NewBinding = z.input<typeof newBindingSchema>;

/**
 * Why a binding breaks the rules for new profiles, naming the field ("region: …"), or
 * undefined. A settings file written before a rule existed still loads; its profile alone then
 * fails with this reason.
 */
export function bindingProblem(binding: NewBinding | ProfileSettings): string | undefined {
  const { written: _written, ...fields } = binding as ProfileSettings;
  const parsed = newBindingSchema.safeParse(fields);
  if (parsed.success) return undefined;
  const issue = parsed.error.issues[0]!;
  return `${issue.path.join('.') || 'profile'}: ${issue.message}`;
}

export type Settings = z.infer<typeof settingsSchema>;
export type ProfileSettings = z.infer<typeof profileSettingsSchema>;
export type VaultSettings = z.infer<typeof vaultSettingsSchema>;

/** Migrations from older files, oldest first: `from` is the version they upgrade. */
export const SETTINGS_MIGRATIONS: ReadonlyArray<{
  from: number;
  migrate(raw: Record<string, unknown>): Record<string, unknown>;
}> = [];

export class SettingsError extends Error {
  override readonly name = 'SettingsError';
}

/** Reads settings from what the file held (possibly an older version), or refuses with reasons. */
export function parseSettings(raw: unknown, source: string): Settings {
  let value = (raw ?? {}) as Record<string, unknown>;
  const version = typeof value.version === 'number' ? value.version : SETTINGS_VERSION;
  if (version > SETTINGS_VERSION) {
    throw new SettingsError(
      `${source} was written by a newer version of vault-aws-tray (settings version ${version})`,
    );
  }
  for (const step of SETTINGS_MIGRATIONS) if (step.from >= version) value = step.migrate(value);
  const parsed = settingsSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new SettingsError(`${source}: ${issue.path.join('.') || 'settings'}: ${issue.message}`);
  }
  return { ...parsed.data, version: SETTINGS_VERSION };
}

export const DEFAULT_SETTINGS: Settings = parseSettings({}, 'defaults');

import {
  AWS_REGION,
  AWS_REGION_MAX,
  LEAD_SECONDS,
  PORT,
  PROFILE_NAME_MAX,
  REGION_RULE,
  ROLE_ARN_MAX,
  TTL_SECONDS,
  VAULT_NAME,
  VAULT_PATH,
  VAULT_PATH_MAX,
  vaultNameRule,
  inMinutes,
  vaultPathRule,
} from './fields.js';
import type { IpcChannel, IpcContract } from './ipc.js';
import { profileNameProblem } from './profile-name.js';
import { z } from './zod.js';

const noPayload = z.undefined();
const profileName = z.string().superRefine((name, context) => {
  const problem = profileNameProblem(name);
  if (problem !== undefined) context.addIssue({ code: 'custom', message: problem });
});
const httpUrl = z.url({ protocol: /^https?$/ });
/** A Vault path (a mount) as src/shared/fields.ts has it; `what` names it in the refusal. */
const vaultPath = (what: string) =>
  z.string().max(VAULT_PATH_MAX).regex(VAULT_PATH, vaultPathRule(what));
/** One Vault name (a role). */
const vaultName = (what: string) =>
  z.string().max(VAULT_PATH_MAX).regex(VAULT_NAME, vaultNameRule(what));
const filePath = z.string().min(1).max(4096);
const wholeNumber = (limits: { min: number; max: number }) =>
  z.number().int().min(limits.min).max(limits.max);

export const connectionSchema = z
  .object({
    address: httpUrl,
    namespace: z.string().max(256),
    authMethod: z.enum(['oidc', 'jwt', 'token']),
    authMount: vaultPath('The mount').optional(),
    authRole: vaultName('The role').optional(),
    issuer: httpUrl.optional(),
    clientId: z.string().min(1).max(256).optional(),
    caFile: filePath.optional(),
    callbackPort: wholeNumber(PORT).optional(),
    proxy: httpUrl.optional(),
  })
  .strict();

export const preferencesSchema = z
  .object({
    leadMinutes: wholeNumber(inMinutes(LEAD_SECONDS)).optional(),
    notifications: z.boolean(),
    startAtLogin: z.boolean(),
    credentialsFile: filePath.optional(),
    configFile: filePath.optional(),
    externalEdits: z.enum(['restore', 'detach']),
    consoleBrowser: z.string().trim().min(1).max(1024).optional(),
  })
  .strict();

export const newProfileSchema = z
  .object({
    name: profileName,
    mount: vaultPath('The mount'),
    role: vaultName('The role'),
    endpoint: z.enum(['creds', 'sts']),
    roleArn: z.string().startsWith('arn:').max(ROLE_ARN_MAX).optional(),
    region: z.string().max(AWS_REGION_MAX).regex(AWS_REGION, REGION_RULE).optional(),
    ttlMinutes: wholeNumber(inMinutes(TTL_SECONDS)).optional(),
    delivery: z.enum(['file', 'process']),
    adopt: z.boolean(),
  })
  .strict();

/**
 * What each channel accepts; anything else is refused before a handler runs. tsc refuses a
 * missing channel, and a schema whose output is not exactly the payload of IpcContract (below).
 */
export const IPC_PAYLOADS = {
  'app:info': noPayload,
  'status:get': noPayload,
  'setup:get': noPayload,
  'setup:save-connection': connectionSchema,
  'setup:save-settings': preferencesSchema,
  'setup:choose-team-file': noPayload,
  'setup:apply-team-file': noPayload,
  'session:sign-in': z.object({ token: z.string().min(1).max(4096).optional() }).strict(),
  'session:cancel-sign-in': noPayload,
  'session:totp': z.object({ code: z.string().regex(/^\d{6,8}$/, 'a 6 to 8 digit code') }).strict(),
  'session:sign-out': noPayload,
  'roles:discover': noPayload,
  // Any name may be asked about: the answer says what is wrong with it.
  'profiles:check': z.object({ name: z.string().max(PROFILE_NAME_MAX) }).strict(),
  'profiles:add': z.object({ profiles: z.array(newProfileSchema).min(1).max(50) }).strict(),
  'profiles:remove': z.object({ name: profileName, deleteSections: z.boolean() }).strict(),
  'profiles:refresh': z.object({ profiles: z.array(profileName).max(1000).optional() }).strict(),
  'profiles:copy-exports': z.object({ profile: profileName }).strict(),
  'profiles:open-console': z.object({ profile: profileName }).strict(),
} satisfies { [C in IpcChannel]: z.ZodType<IpcContract[C]['payload']> };

/** Whether A and B are the same type: strict, so an optional field left out also counts. */
type Same<A, B> =
  (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** The channels whose schema accepts less than, or other than, their payload in IpcContract. */
type Drifted = {
  [C in IpcChannel]: Same<
    z.output<(typeof IPC_PAYLOADS)[C]>,
    IpcContract[C]['payload']
  > extends true
    ? never
    : C;
}[IpcChannel];

/** tsc fails here, naming the channel, when a schema drifts from the contract. */
export const PAYLOADS_MATCH_CONTRACT: [Drifted] extends [never] ? true : Drifted = true;

import { IPC_CHANNELS } from './ipc.js';
import type { IpcChannel } from './ipc.js';
import { profileNameProblem } from './profile-name.js';
import { z } from './zod.js';

const noPayload = z.undefined();
const profileName = z
  .string()
  .max(128)
  .refine((name) => profileNameProblem(name) === undefined, 'not a valid AWS profile name');
const httpUrl = z.url({ protocol: /^https?$/ });
/** A Vault path segment (mount, role): what the vault CLI would accept in a path. */
const pathPart = z.string().regex(/^[A-Za-z0-9_.@-]+(\/[A-Za-z0-9_.@-]+)*$/, 'not a Vault path');
const filePath = z.string().min(1).max(4096);

export const connectionSchema = z
  .object({
    address: httpUrl,
    namespace: z.string().max(256),
    authMethod: z.enum(['oidc', 'jwt', 'token']),
    authMount: pathPart.optional(),
    authRole: pathPart.optional(),
    issuer: httpUrl.optional(),
    clientId: z.string().min(1).max(256).optional(),
    caFile: filePath.optional(),
    callbackPort: z.number().int().min(0).max(65535).optional(),
    proxy: httpUrl.optional(),
  })
  .strict();

export const preferencesSchema = z
  .object({
    leadMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .optional(),
    notifications: z.boolean(),
    startAtLogin: z.boolean(),
    credentialsFile: filePath.optional(),
    configFile: filePath.optional(),
    externalEdits: z.enum(['restore', 'detach']),
  })
  .strict();

export const newProfileSchema = z
  .object({
    name: profileName,
    mount: pathPart,
    role: pathPart,
    endpoint: z.enum(['creds', 'sts']),
    roleArn: z.string().startsWith('arn:').max(2048).optional(),
    region: z
      .string()
      .regex(/^[a-z0-9-]+$/)
      .max(64)
      .optional(),
    ttlMinutes: z
      .number()
      .int()
      .min(15)
      .max(12 * 60)
      .optional(),
    delivery: z.enum(['file', 'process']),
    adopt: z.boolean(),
  })
  .strict();

/** What each channel accepts; anything else is refused before a handler runs. */
export const IPC_PAYLOADS = {
  [IPC_CHANNELS.appInfo]: noPayload,
  [IPC_CHANNELS.status]: noPayload,
  [IPC_CHANNELS.refresh]: z
    .object({ profiles: z.array(profileName).max(1000).optional() })
    .strict(),
  [IPC_CHANNELS.signIn]: z.object({ token: z.string().min(1).max(4096).optional() }).strict(),
  [IPC_CHANNELS.cancelSignIn]: noPayload,
  [IPC_CHANNELS.submitTotp]: z
    .object({ code: z.string().regex(/^\d{6,8}$/, 'a 6 to 8 digit code') })
    .strict(),
  [IPC_CHANNELS.signOut]: noPayload,
  [IPC_CHANNELS.getSetup]: noPayload,
  [IPC_CHANNELS.saveConnection]: connectionSchema,
  [IPC_CHANNELS.saveSettings]: preferencesSchema,
  [IPC_CHANNELS.discoverRoles]: noPayload,
  [IPC_CHANNELS.checkProfile]: z.object({ name: z.string().max(128) }).strict(),
  [IPC_CHANNELS.addProfiles]: z
    .object({ profiles: z.array(newProfileSchema).min(1).max(50) })
    .strict(),
  [IPC_CHANNELS.removeProfile]: z
    .object({ name: profileName, deleteSections: z.boolean() })
    .strict(),
  [IPC_CHANNELS.copyExports]: z.object({ profile: profileName }).strict(),
} as const satisfies Record<IpcChannel, z.ZodType>;

export type IpcPayload<C extends IpcChannel> = z.infer<(typeof IPC_PAYLOADS)[C]>;

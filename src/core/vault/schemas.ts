import { z } from '../../shared/zod.js';

/**
 * Vault's response shapes (its JSON envelope and the bodies inside it), validated before anything
 * reads them: a body that does not fit is an error, never a crash. Unknown keys are allowed,
 * because newer Vault versions add them.
 */

export const mfaRequirementSchema = z.object({
  mfa_request_id: z.string(),
  mfa_constraints: z.record(
    z.string(),
    z.object({
      any: z.array(
        z.object({
          type: z.string(),
          id: z.string(),
          uses_passcode: z.boolean().optional(),
          name: z.string().optional(),
        }),
      ),
    }),
  ),
});

export const authSchema = z.object({
  client_token: z.string(),
  accessor: z.string(),
  policies: z.array(z.string()).nullable(),
  token_policies: z.array(z.string()).nullable().optional(),
  identity_policies: z.array(z.string()).nullable().optional(),
  metadata: z.record(z.string(), z.string()).nullable(),
  lease_duration: z.number().int().nonnegative(),
  renewable: z.boolean(),
  entity_id: z.string().optional(),
  token_type: z.string().optional(),
  orphan: z.boolean().optional(),
  mfa_requirement: mfaRequirementSchema.nullable().optional(),
  num_uses: z.number().int().optional(),
});

export function envelopeSchema<T extends z.ZodType>(data: T) {
  return z.object({
    request_id: z.string(),
    lease_id: z.string(),
    renewable: z.boolean(),
    lease_duration: z.number().int().nonnegative(),
    data,
    wrap_info: z.unknown().nullable().optional(),
    warnings: z.array(z.string()).nullable(),
    auth: authSchema.nullable(),
    mount_type: z.string().optional(),
  });
}

export const errorBodySchema = z.object({ errors: z.array(z.string()) });

export const listDataSchema = z.object({ keys: z.array(z.string()) });

/** `sys/health`: not an envelope; the body Vault sends in every state when asked for 299. */
export const healthSchema = z.object({
  initialized: z.boolean(),
  sealed: z.boolean(),
  standby: z.boolean(),
  version: z.string(),
  server_time_utc: z.number().optional(),
});

export type VaultAuth = z.infer<typeof authSchema>;
export type VaultHealth = z.infer<typeof healthSchema>;

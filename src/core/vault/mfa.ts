import { z } from '../../shared/zod.js';
import type { VaultClient } from './client.js';
import { plainVaultErrors, VaultError } from './errors.js';
import type { VaultAuth } from './schemas.js';
import { SignInError } from './sign-in-error.js';

/** Asks the user for the code their authenticator shows; undefined when nobody can be asked. */
export type MfaPrompt = (question: string) => Promise<string | undefined>;

/**
 * Vault's login MFA: a login answer with `auth.mfa_requirement` carries no token yet; it is
 * completed through `sys/mfa/validate` with a passcode. An answer without a token is never taken
 * for a sign-in.
 */
export async function completeMfa(
  client: VaultClient,
  auth: VaultAuth,
  ask: MfaPrompt,
): Promise<VaultAuth> {
  const requirement = auth.mfa_requirement;
  if (!requirement) {
    if (!auth.client_token)
      throw new SignInError('callback', 'Vault answered the sign-in without a token');
    return auth;
  }
  const methods = Object.values(requirement.mfa_constraints).flatMap(
    (constraint) => constraint.any,
  );
  const method = methods.find((m) => m.type === 'totp');
  if (!method) {
    const types = [...new Set(methods.map((m) => m.type))].join(', ');
    throw new SignInError(
      'mfa',
      `Vault requires MFA of type ${types || 'unknown'} for this sign-in, which vault-aws-tray cannot answer yet`,
    );
  }
  const code = (
    await ask(
      `Vault requires MFA for this sign-in: enter the code your authenticator shows for ${method.name || 'TOTP'}`,
    )
  )?.trim();
  if (!code)
    throw new SignInError(
      'mfa',
      'Vault requires an MFA code (TOTP) for this sign-in, and none was given',
    );
  let validated;
  try {
    validated = await client.write(
      'sys/mfa/validate',
      { mfa_request_id: requirement.mfa_request_id, mfa_payload: { [method.id]: [code] } },
      z.null(),
    );
  } catch (error) {
    if (
      error instanceof VaultError &&
      (error.kind === 'permission_denied' || error.kind === 'bad_request')
    ) {
      const said = plainVaultErrors(error.details.vaultErrors ?? []).join('; ');
      throw new SignInError('mfa', `Vault refused the MFA code: ${said || error.message}`);
    }
    throw error;
  }
  const final = validated.envelope.auth;
  if (!final?.client_token)
    throw new SignInError('mfa', 'Vault accepted the MFA code but sent no token');
  return final;
}

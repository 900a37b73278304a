/** Field checks the forms run before main checks the same again (src/shared/ipc-payloads.ts). */

/** A Vault mount or role path, as the vault CLI would accept it. */
export const VAULT_PATH = /^[A-Za-z0-9_.@-]+(\/[A-Za-z0-9_.@-]+)*$/;

/** Whether `value` parses as an http:// or https:// URL. */
export function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** A whole number in [min, max] typed into a field, or why not. */
export function wholeNumberProblem(
  value: string,
  min: number,
  max: number,
  what: string,
): string | undefined {
  const number = Number(value);
  return /^\d+$/.test(value.trim()) && number >= min && number <= max
    ? undefined
    : `${what} must be a whole number from ${min} to ${max}.`;
}

/** An AWS region name, such as eu-west-1. */
export const AWS_REGION = /^[a-z0-9-]+$/;

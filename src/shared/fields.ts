/**
 * Every field's limits and patterns, in one place: the zod schemas (settings, IPC payloads, the
 * engine's socket) and the window's forms take them from here, so a rule cannot differ between
 * the form that shows it and the process that enforces it.
 */

/** Longer names are refused everywhere (the settings, the socket, the window). */
export const PROFILE_NAME_MAX = 128;

/**
 * A Vault mount path: segments of letters, digits, `_`, `.`, `@` and `-`, joined by `/` (a mount
 * may be nested, `team-a/aws`), none of them `.` or `..` (a URL resolves those: `aws/..` would
 * reach another path than the one checked). No `?`, `#` or `%` can get in.
 */
export const VAULT_PATH =
  /^(?!\.\.?(?:\/|$))[A-Za-z0-9_.@-]+(?:\/(?!\.\.?(?:\/|$))[A-Za-z0-9_.@-]+)*$/;
/** A role (or any one segment of a path): the same characters, no `/`, not `.` or `..`. */
export const VAULT_NAME = /^(?!\.\.?$)[A-Za-z0-9_.@-]+$/;
export const VAULT_PATH_MAX = 256;

/** An AWS region name, such as eu-west-1 or us-gov-west-1. */
export const AWS_REGION = /^[a-z0-9][a-z0-9-]*$/;
export const AWS_REGION_MAX = 64;

/** The lifetime a profile may ask Vault for: STS's minimum, and the longest STS session. */
export const TTL_SECONDS = { min: 15 * 60, max: 36 * 3600 } as const;
/** How long before expiry a profile is refreshed, when it sets its own lead. */
export const LEAD_SECONDS = { min: 60, max: 24 * 3600 } as const;
/** The loopback port of the oidc sign-in's callback. */
export const PORT = { min: 0, max: 65535 } as const;

export const ROLE_ARN_MAX = 2048;

/** The Vault path rule in words; `what` names the field ("The mount"). */
export const vaultPathRule = (what: string) =>
  `${what} may only contain letters, digits, ".", "_", "@" and "-", in parts joined by "/" (none of them "." or "..").`;

/** The one-segment rule in words (a role). */
export const vaultNameRule = (what: string) =>
  `${what} may only contain letters, digits, ".", "_", "@" and "-" (one name: no "/", not "." or "..").`;

/** Why `value` is not a Vault path (a mount), or undefined. */
export function vaultPathProblem(value: string, what: string): string | undefined {
  if (value.length > VAULT_PATH_MAX) return `${what} is longer than ${VAULT_PATH_MAX} characters.`;
  return VAULT_PATH.test(value) ? undefined : vaultPathRule(what);
}

/** Why `value` is not one Vault name (a role), or undefined. */
export function vaultNameProblem(value: string, what: string): string | undefined {
  if (value.length > VAULT_PATH_MAX) return `${what} is longer than ${VAULT_PATH_MAX} characters.`;
  return VAULT_NAME.test(value) ? undefined : vaultNameRule(what);
}

export const REGION_RULE = 'A region is an AWS region name, like eu-west-1.';

export function regionProblem(value: string): string | undefined {
  return AWS_REGION.test(value) && value.length <= AWS_REGION_MAX ? undefined : REGION_RULE;
}

/** A whole number in [min, max], or why not; `what` names the field and `unit` its unit. */
export function rangeProblem(
  value: number,
  limits: { min: number; max: number },
  what: string,
  unit = '',
): string | undefined {
  return Number.isInteger(value) && value >= limits.min && value <= limits.max
    ? undefined
    : `${what} must be a whole number from ${limits.min} to ${limits.max}${unit}.`;
}

/**
 * A whole number as typed into a form field (digits only: no sign, point or exponent), in
 * [min, max], or rangeProblem's sentence.
 */
export function wholeNumberProblem(
  text: string,
  limits: { min: number; max: number },
  what: string,
  unit = '',
): string | undefined {
  const digits = text.trim();
  return rangeProblem(/^\d+$/.test(digits) ? Number(digits) : Number.NaN, limits, what, unit);
}

/** Limits in minutes, for the forms that ask in minutes. */
export const inMinutes = (limits: { min: number; max: number }) => ({
  min: Math.ceil(limits.min / 60),
  max: Math.floor(limits.max / 60),
});

/** Whether `value` parses as an http:// or https:// URL. */
export function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

/** The states other programs rely on (docs/architecture.md, "Contracts"): one enum each. */

export const PROFILE_STATES = [
  'fresh',
  'refreshing',
  'expiring',
  'expired',
  'needs_sign_in',
  'error',
] as const;
export type ProfileStateName = (typeof PROFILE_STATES)[number];

export const SESSION_STATES = ['signed_out', 'active', 'ending_soon', 'needs_sign_in'] as const;
export type SessionStateName = (typeof SESSION_STATES)[number];

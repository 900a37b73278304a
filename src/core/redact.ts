/**
 * Secrets a log line must never carry, should one slip into a message (an error text that quotes
 * a request, say). Callers do not pass secrets; this is the Logger adapters' second line.
 */
const SECRET_PATTERNS: RegExp[] = [
  // Vault tokens: service, batch and recovery tokens, and the pre-1.10 `s.` form.
  /\bhv[sbr]\.[A-Za-z0-9_-]{20,}/g,
  /\b[sbr]\.[A-Za-z0-9]{24}\b/g,
  // JWTs (OIDC ID tokens, Vault's jwt login).
  /\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*/g,
  // Secret access keys and session tokens: long base64 runs mixing cases and digits.
  /(?<![A-Za-z0-9+/])(?=[A-Za-z0-9+/]*[a-z])(?=[A-Za-z0-9+/]*[A-Z])(?=[A-Za-z0-9+/]*\d)[A-Za-z0-9+/]{40,}={0,2}/g,
];

export function redactSecrets(text: string): string {
  return SECRET_PATTERNS.reduce((out, pattern) => out.replace(pattern, '[redacted]'), text);
}

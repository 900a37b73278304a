/** Vault's envelope keys, in the order Vault writes them. */
export const ENVELOPE_KEYS = [
  'request_id',
  'lease_id',
  'renewable',
  'lease_duration',
  'data',
  'wrap_info',
  'warnings',
  'auth',
  'mount_type',
];

/** A bare HTTP helper for tests of the emulator itself: no client logic, just what went over the wire. */
export interface WireResponse {
  status: number;
  headers: Headers;
  text: string;
  json: Record<string, unknown> | undefined;
}

export async function vaultRequest(
  baseUrl: string,
  method: string,
  path: string,
  options: {
    token?: string;
    body?: unknown;
    namespace?: string;
    headers?: Record<string, string>;
  } = {},
): Promise<WireResponse> {
  const headers: Record<string, string> = { 'X-Vault-Request': 'true', ...options.headers };
  if (options.token) headers['X-Vault-Token'] = options.token;
  if (options.namespace) headers['X-Vault-Namespace'] = options.namespace;
  let body: string | undefined;
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    headers['Content-Type'] ??= 'application/json';
  }
  const response = await fetch(`${baseUrl}/v1/${path}`, {
    method,
    headers,
    body,
    redirect: 'manual',
  });
  const text = await response.text();
  let json: Record<string, unknown> | undefined;
  try {
    json = text ? (JSON.parse(text) as Record<string, unknown>) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

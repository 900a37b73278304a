import { randomUUID } from 'node:crypto';

/** The `auth` block of a response (`sdk/logical/translate_response.go` LogicalAuth). */
export interface AuthBlock {
  client_token: string;
  accessor: string;
  policies: string[] | null;
  token_policies: string[] | null;
  identity_policies?: string[];
  metadata: Record<string, string> | null;
  lease_duration: number;
  renewable: boolean;
  entity_id: string;
  token_type: string;
  orphan: boolean;
  mfa_requirement: unknown;
  num_uses: number;
}

/** Vault's standard response envelope: every key present, empty ones null. */
export interface Envelope {
  request_id: string;
  lease_id: string;
  renewable: boolean;
  lease_duration: number;
  data: Record<string, unknown> | null;
  wrap_info: null;
  warnings: string[] | null;
  auth: AuthBlock | null;
  mount_type: string;
}

export interface Lease {
  id: string;
  duration: number;
  renewable: boolean;
}

/** The outcome of handling a request, before it is written as HTTP. */
export type Reply =
  | {
      kind: 'ok';
      data?: Record<string, unknown> | null;
      auth?: AuthBlock;
      lease?: Lease;
      warnings?: string[];
      /** sys/capabilities-self and sys/auth repeat `data` at the top level. */
      injectData?: boolean;
      /** Login responses have an empty mount_type. */
      mountType?: string;
    }
  | { kind: 'error'; status: number; errors: string[] }
  | { kind: 'fail'; status: number; message: string }
  | { kind: 'raw'; status: number; body: string; contentType?: string }
  | { kind: 'none' }
  | { kind: 'notFound' };

/** go-multierror's text, which Vault puts on the wire for errors raised inside request handling. */
export function multierror(messages: string[]): string {
  const head = messages.length === 1 ? '1 error occurred:' : `${messages.length} errors occurred:`;
  return `${head}\n${messages.map((m) => `\t* ${m}`).join('\n')}\n\n`;
}

/** Error response whose message Vault writes verbatim (`logical.ErrorResponse`). */
export function errorReply(status: number, ...errors: string[]): Reply {
  return { kind: 'error', status, errors };
}

/** A plain Go error from a handler: Vault wraps it in a multierror. */
export function failReply(status: number, message: string): Reply {
  return { kind: 'fail', status, message };
}

/** A LIST answer: sorted keys, or 404 with no errors when there are none (`RespondErrorCommon`). */
export function listReply(keys: string[]): Reply {
  return keys.length === 0
    ? { kind: 'notFound' }
    : { kind: 'ok', data: { keys: [...keys].sort() } };
}

/** Keys in `data` come back sorted, as Go encodes maps. */
export function sortKeys<T>(value: T): T {
  if (Array.isArray(value) || value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = (value as Record<string, unknown>)[key];
  return out as T;
}

export function buildEnvelope(reply: Extract<Reply, { kind: 'ok' }>, mountType: string): Envelope {
  return {
    request_id: randomUUID(),
    lease_id: reply.lease?.id ?? '',
    renewable: reply.lease?.renewable ?? false,
    lease_duration: reply.lease?.duration ?? 0,
    data: reply.data ? sortKeys(reply.data) : null,
    wrap_info: null,
    warnings: reply.warnings && reply.warnings.length > 0 ? reply.warnings : null,
    auth: reply.auth ?? null,
    mount_type: reply.mountType ?? mountType,
  };
}

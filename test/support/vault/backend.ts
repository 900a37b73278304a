import type { IncomingHttpHeaders } from 'node:http';
import type { Reply } from './envelope.js';
import type { PathRule } from './policy.js';
import type { MountTtls, TokenEntry, TtlSource } from './tokens.js';

export type Operation = 'read' | 'list' | 'update' | 'create' | 'delete' | 'patch';

export interface BackendRequest {
  operation: Operation;
  /** Path inside the mount, without a leading slash. */
  path: string;
  /** The full request path, e.g. `auth/oidc/oidc/callback`. */
  fullPath: string;
  data: Record<string, unknown>;
  method: string;
  headers: IncomingHttpHeaders;
  remoteAddr: string;
  token?: TokenEntry;
  mount: MountEntry;
  ns: Namespace;
  /** The request's raw body as received (for form posts). */
  rawBody: string;
}

/** What an auth method hands to the core after it has verified a login (`logical.Auth`). */
export interface LoginAuth {
  policies: string[];
  noDefaultPolicy: boolean;
  metadata: Record<string, string>;
  displayName: string;
  aliasName: string;
  groupAliases: string[];
  ttl: number;
  maxTtl: number;
  period: number;
  explicitMaxTtl: number;
  numUses: number;
  ttlSource: () => TtlSource | { error: string };
  /** Login MFA the role enforces: the core answers with an mfa_requirement instead of a token. */
  mfa?: { enforcement: string; methodId: string; methodName: string; totpSecret: string };
}

export type BackendReply = Reply | { kind: 'login'; auth: LoginAuth; warnings?: string[] };

export interface Backend {
  readonly type: string;
  /** Paths answered without a token (`PathsSpecial.Unauthenticated`). */
  isUnauthenticated(path: string): boolean;
  handle(request: BackendRequest): Promise<BackendReply>;
}

export interface MountEntry {
  /** `aws/`, or for auth mounts `oidc/` (without `auth/`). */
  path: string;
  type: string;
  description: string;
  accessor: string;
  uuid: string;
  local: boolean;
  ttls: MountTtls;
  listingVisibility: 'unauth' | 'hidden' | '';
  backend: Backend;
}

/** One namespace's world (the root namespace is `''`): mounts, policies, entities, groups. */
export interface Namespace {
  /** `''` for root, `team-a/` for a child. */
  path: string;
  id: string;
  secretMounts: Map<string, MountEntry>;
  authMounts: Map<string, MountEntry>;
  policies: Map<string, PathRule[]>;
  /** Entity ids by `<mount accessor>/<alias name>`. */
  entities: Map<string, string>;
  /** External group name (from a groups claim) → identity policies. */
  groupPolicies: Map<string, string[]>;
}

import { AwsApiError, callAws, xmlValue } from './aws-client.js';
import type { AwsCall } from './aws-client.js';
import type { Backend, BackendReply, BackendRequest } from './backend.js';
import { DurationError, parseDurationSecond } from './durations.js';
import type { VaultEmulator } from './emulator.js';
import { errorReply, failReply, listReply } from './envelope.js';
import { base62 } from './ids.js';

/** `aws/config/root`: the engine's own keys and where it finds STS and IAM. */
export interface AwsRootConfig {
  access_key: string;
  secret_key: string;
  region: string;
  sts_endpoint: string;
  sts_region: string;
  iam_endpoint: string;
}

/** An AWS role of the engine (`aws/roles/:name`), stored as Vault stores it. */
export interface AwsRole {
  credential_type: string[];
  role_arns: string[];
  policy_arns: string[];
  policy_document: string;
  iam_groups: string[];
  iam_tags: Record<string, string>;
  default_sts_ttl: number;
  max_sts_ttl: number;
  user_path: string;
  permissions_boundary_arn: string;
  mfa_serial_number: string;
  session_tags: Record<string, string>;
  external_id: string;
}

const CREDENTIAL_TYPES = ['iam_user', 'assumed_role', 'federation_token', 'session_token'];
const STS_TYPES = new Set(['assumed_role', 'federation_token', 'session_token']);
const CREDS_PARAMS = new Set(['name', 'ttl', 'role_arn', 'role_session_name', 'mfa_code']);

/** `normalizeDisplayName`: characters AWS refuses in a session name become `_`. */
function normalize(name: string): string {
  return name.replace(/[^a-zA-Z0-9+=,.@_-]/g, '_');
}

function list(value: unknown): string[] {
  if (Array.isArray(value)) return value.map(String).filter((v) => v !== '');
  if (typeof value === 'string')
    return value
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
  return [];
}

function orNull<T>(value: T[] | Record<string, string>): T[] | Record<string, string> | null {
  return (Array.isArray(value) ? value.length : Object.keys(value).length) > 0 ? value : null;
}

/**
 * Vault's AWS secrets engine (`builtin/logical/aws`): config, roles, and `creds`/`sts` reads that
 * mint credentials by calling the STS/IAM emulator, answered in the selected version's shape.
 */
export class AwsBackend implements Backend {
  readonly type = 'aws';
  private root?: AwsRootConfig;
  private leaseConfig = { lease: 0, lease_max: 0 };
  private readonly roles = new Map<string, AwsRole>();
  /** The 1.19+ STS client is built (and pinged) once, then cached. */
  private stsPinged = false;

  constructor(private readonly vault: VaultEmulator) {}

  isUnauthenticated(): boolean {
    return false;
  }

  configureRoot(config: Partial<AwsRootConfig> & { access_key: string; secret_key: string }): void {
    this.root = {
      region: 'us-east-1',
      sts_endpoint: '',
      sts_region: '',
      iam_endpoint: '',
      ...config,
    };
    this.stsPinged = false;
  }

  /** Writes a role the way `POST aws/roles/:name` does; returns Vault's error text on refusal. */
  writeRole(name: string, fields: Record<string, unknown>): string | undefined {
    const reply = this.roleWrite(name.toLowerCase(), fields);
    return reply.kind === 'error' ? reply.errors[0] : undefined;
  }

  async handle(req: BackendRequest): Promise<BackendReply> {
    const { path, operation } = req;
    if (path === 'config/root') {
      if (operation === 'update') {
        this.configureRoot({
          ...(this.root ?? {}),
          ...(req.data as Partial<AwsRootConfig>),
        } as AwsRootConfig);
        return { kind: 'none' };
      }
      if (operation === 'read') {
        if (!this.root) return { kind: 'notFound' };
        const { secret_key: _secret, ...visible } = this.root;
        return { kind: 'ok', data: { ...visible, max_retries: -1 } };
      }
      return failReply(405, 'unsupported operation');
    }
    if (path === 'config/lease') {
      if (operation === 'read') return { kind: 'ok', data: { ...this.leaseConfig } };
      if (operation === 'update') {
        try {
          this.leaseConfig = {
            lease: parseDurationSecond(req.data.lease),
            lease_max: parseDurationSecond(req.data.lease_max),
          };
        } catch (error) {
          if (error instanceof DurationError) return errorReply(400, error.message);
          throw error;
        }
        return { kind: 'none' };
      }
      return failReply(405, 'unsupported operation');
    }
    if (path === 'roles/' || path === 'roles') {
      if (operation !== 'list') return failReply(405, 'unsupported operation');
      return listReply([...this.roles.keys()]);
    }
    const role = /^roles\/([^/]+)$/.exec(path);
    if (role) {
      const name = role[1]!.toLowerCase();
      if (operation === 'read') {
        const found = this.roles.get(name);
        return found ? { kind: 'ok', data: this.roleData(found) } : { kind: 'notFound' };
      }
      if (operation === 'update' || operation === 'create') return this.roleWrite(name, req.data);
      if (operation === 'delete') {
        this.roles.delete(name);
        return { kind: 'none' };
      }
      return failReply(405, 'unsupported operation');
    }
    const creds = /^(creds|sts)\/([^/]+)$/.exec(path);
    if (creds) {
      if (operation !== 'read' && operation !== 'update')
        return failReply(405, 'unsupported operation');
      return this.credsRead(req, creds[1] as 'creds' | 'sts', creds[2]!.toLowerCase());
    }
    return failReply(404, 'unsupported path');
  }

  private roleData(role: AwsRole): Record<string, unknown> {
    const traits = this.vault.traits;
    const data: Record<string, unknown> = {
      credential_type: role.credential_type.join(','),
      default_sts_ttl: role.default_sts_ttl,
      iam_groups: orNull(role.iam_groups),
      iam_tags: orNull(role.iam_tags),
      max_sts_ttl: role.max_sts_ttl,
      permissions_boundary_arn: role.permissions_boundary_arn,
      policy_arns: orNull(role.policy_arns),
      policy_document: role.policy_document,
      role_arns: orNull(role.role_arns),
      user_path: role.user_path,
    };
    if (traits.roleMfaSerial) data.mfa_serial_number = role.mfa_serial_number;
    if (traits.roleSessionTags) {
      data.session_tags = orNull(role.session_tags);
      data.external_id = role.external_id;
    }
    return data;
  }

  private roleWrite(name: string, fields: Record<string, unknown>): BackendReply {
    const existing = this.roles.get(name);
    const types =
      fields.credential_type !== undefined
        ? list(fields.credential_type)
        : (existing?.credential_type ?? []);
    if (types.length === 0) return errorReply(400, 'did not supply credential_type');
    const allowed = this.vault.traits.sessionTokenField
      ? CREDENTIAL_TYPES
      : CREDENTIAL_TYPES.filter((t) => t !== 'session_token');
    for (const t of types)
      if (!allowed.includes(t)) return errorReply(400, `unrecognized credential type: ${t}`);
    const ttl = (field: string, fallback: number): number | string => {
      if (fields[field] === undefined) return fallback;
      try {
        return parseDurationSecond(fields[field]);
      } catch (error) {
        if (error instanceof DurationError)
          return `Field validation failed: error converting input ${String(fields[field])} for field "${field}": ${error.message}`;
        throw error;
      }
    };
    const defaultTtl = ttl('default_sts_ttl', existing?.default_sts_ttl ?? 0);
    const maxTtl = ttl('max_sts_ttl', existing?.max_sts_ttl ?? 0);
    if (typeof defaultTtl === 'string') return errorReply(400, defaultTtl);
    if (typeof maxTtl === 'string') return errorReply(400, maxTtl);
    const role: AwsRole = {
      credential_type: types,
      role_arns:
        fields.role_arns !== undefined ? list(fields.role_arns) : (existing?.role_arns ?? []),
      policy_arns:
        fields.policy_arns !== undefined ? list(fields.policy_arns) : (existing?.policy_arns ?? []),
      policy_document:
        typeof fields.policy_document === 'string'
          ? fields.policy_document
          : (existing?.policy_document ?? ''),
      iam_groups:
        fields.iam_groups !== undefined ? list(fields.iam_groups) : (existing?.iam_groups ?? []),
      iam_tags: (fields.iam_tags as Record<string, string>) ?? existing?.iam_tags ?? {},
      default_sts_ttl: defaultTtl,
      max_sts_ttl: maxTtl,
      user_path:
        typeof fields.user_path === 'string' ? fields.user_path : (existing?.user_path ?? ''),
      permissions_boundary_arn: String(
        fields.permissions_boundary_arn ?? existing?.permissions_boundary_arn ?? '',
      ),
      mfa_serial_number: String(fields.mfa_serial_number ?? existing?.mfa_serial_number ?? ''),
      session_tags: (fields.session_tags as Record<string, string>) ?? existing?.session_tags ?? {},
      external_id: String(fields.external_id ?? existing?.external_id ?? ''),
    };
    if (role.role_arns.length > 0 && !types.includes('assumed_role')) {
      return errorReply(400, "cannot supply role_arns when credential_type isn't assumed_role");
    }
    const usesSts = types.some((t) => STS_TYPES.has(t));
    if ((role.default_sts_ttl > 0 || role.max_sts_ttl > 0) && !usesSts) {
      return errorReply(
        400,
        'default_sts_ttl parameter only valid for assumed_role, federation_token, and session_token credential types',
      );
    }
    if (role.max_sts_ttl > 0 && role.default_sts_ttl > role.max_sts_ttl) {
      return errorReply(400, 'default_sts_ttl cannot exceed max_sts_ttl');
    }
    this.roles.set(name, role);
    return { kind: 'none' };
  }

  private async credsRead(
    req: BackendRequest,
    prefix: 'creds' | 'sts',
    name: string,
  ): Promise<BackendReply> {
    const role = this.roles.get(name);
    if (!role) return errorReply(400, `Role "${name}" not found`);
    let requestedTtl: number;
    try {
      requestedTtl = parseDurationSecond(req.data.ttl);
    } catch (error) {
      if (!(error instanceof DurationError)) throw error;
      return errorReply(
        400,
        `Field validation failed: error converting input ${String(req.data.ttl)} for field "ttl": ${error.message}`,
      );
    }
    const ignored = Object.keys(req.data)
      .filter(
        (k) => !CREDS_PARAMS.has(k) || (k === 'mfa_code' && !this.vault.traits.sessionTokenField),
      )
      .sort();
    const warnings =
      ignored.length > 0
        ? [`Endpoint ignored these unrecognized parameters: [${ignored.join(' ')}]`]
        : [];
    const maxTtl = role.max_sts_ttl > 0 ? role.max_sts_ttl : req.mount.ttls.maxLeaseTtl;
    const ttl = Math.min(
      requestedTtl > 0 ? requestedTtl : role.default_sts_ttl > 0 ? role.default_sts_ttl : 3600,
      maxTtl,
    );
    const type = role.credential_type[0]!;
    if (!this.root) return errorReply(400, 'could not obtain sts client');
    const displayName = normalize(req.token?.displayName ?? '');
    const leaseId = `${req.mount.path}${prefix}/${name}/${base62(24)}`;

    if (type === 'iam_user')
      return this.createIamUser(req, role, name, displayName, leaseId, warnings);

    const sts = (action: string, params: AwsCall['params']) =>
      callAws({
        endpoint: this.root!.sts_endpoint,
        region: this.root!.sts_region || this.root!.region,
        service: 'sts',
        accessKeyId: this.root!.access_key,
        secretAccessKey: this.root!.secret_key,
        action,
        params,
        now: this.vault.now(),
      });
    if (this.vault.traits.stsPing && !this.stsPinged) {
      try {
        await sts('GetCallerIdentity', {});
        this.stsPinged = true;
      } catch {
        return errorReply(400, 'could not obtain sts client');
      }
    }

    let params: AwsCall['params'];
    let action: string;
    let errorPrefix = 'Error generating STS keys';
    if (type === 'assumed_role') {
      const wanted = typeof req.data.role_arn === 'string' ? req.data.role_arn : '';
      let roleArn: string;
      if (wanted) {
        if (!role.role_arns.includes(wanted)) {
          return errorReply(
            400,
            `role_arn "${wanted}" not in allowed role arns for Vault role "${name}"`,
          );
        }
        roleArn = wanted;
      } else if (role.role_arns.length === 1) {
        roleArn = role.role_arns[0]!;
      } else {
        return errorReply(400, 'did not supply a role_arn parameter and unable to determine one');
      }
      const given =
        typeof req.data.role_session_name === 'string' ? req.data.role_session_name : '';
      const now = Math.floor(this.vault.now() / 1000);
      // Vault's default username_template for STS: display name and role cut to 42, then time and randomness, cut to 64.
      const sessionName = given
        ? normalize(given)
        : `vault-${`${displayName}-${name}`.slice(0, 42)}-${now}-${base62(20)}`.slice(0, 64);
      action = 'AssumeRole';
      errorPrefix = 'Error assuming role';
      params = { RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: ttl };
      if (role.policy_document) params.Policy = role.policy_document;
      role.policy_arns.forEach((arn, i) => (params[`PolicyArns.member.${i + 1}.arn`] = arn));
      if (this.vault.traits.roleSessionTags) {
        Object.entries(role.session_tags).forEach(([k, v], i) => {
          params[`Tags.member.${i + 1}.Key`] = k;
          params[`Tags.member.${i + 1}.Value`] = v;
        });
        if (role.external_id) params.ExternalId = role.external_id;
      }
    } else if (type === 'federation_token') {
      if (!role.policy_document && role.policy_arns.length === 0) {
        return errorReply(
          400,
          'must specify at least one of policy_arns or policy_document with federation_token credential_type',
        );
      }
      action = 'GetFederationToken';
      params = {
        Name: `vault-${Math.floor(this.vault.now() / 1000)}-${base62(20)}`.slice(0, 32),
        DurationSeconds: ttl,
        Policy: role.policy_document || undefined,
      };
      role.policy_arns.forEach((arn, i) => (params[`PolicyArns.member.${i + 1}.arn`] = arn));
    } else {
      action = 'GetSessionToken';
      params = { DurationSeconds: ttl };
      if (role.mfa_serial_number) {
        params.SerialNumber = role.mfa_serial_number;
        params.TokenCode = typeof req.data.mfa_code === 'string' ? req.data.mfa_code : undefined;
      }
    }

    let xml: string;
    try {
      xml = await sts(action, params);
    } catch (error) {
      return this.awsFailure(errorPrefix, error);
    }
    const expiration = Date.parse(xmlValue(xml, 'Expiration') ?? '');
    const left = Math.max(0, Math.floor((expiration - this.vault.now()) / 1000));
    const token = xmlValue(xml, 'SessionToken');
    const data: Record<string, unknown> = {
      access_key: xmlValue(xml, 'AccessKeyId'),
      secret_key: xmlValue(xml, 'SecretAccessKey'),
      ttl: left,
    };
    // 1.16 added session_token; security_token stays for the older credential types.
    if (type !== 'session_token') data.security_token = token;
    if (this.vault.traits.sessionTokenField) data.session_token = token;
    if (type === 'assumed_role') data.arn = xmlValue(xml, 'Arn');
    const lease = this.vault.traits.stsWithoutLease
      ? undefined
      : { id: leaseId, duration: left, renewable: false };
    return { kind: 'ok', data, lease, warnings };
  }

  private async createIamUser(
    req: BackendRequest,
    role: AwsRole,
    name: string,
    displayName: string,
    leaseId: string,
    warnings: string[],
  ): Promise<BackendReply> {
    const root = this.root!;
    const iam = (action: string, params: AwsCall['params']) =>
      callAws({
        endpoint: root.iam_endpoint,
        region: 'us-east-1',
        service: 'iam',
        accessKeyId: root.access_key,
        secretAccessKey: root.secret_key,
        action,
        params,
        now: this.vault.now(),
      });
    const userName =
      `vault-${`${displayName}-${name}`.slice(0, 42)}-${Math.floor(this.vault.now() / 1000)}-${base62(20)}`.slice(
        0,
        64,
      );
    let keyXml: string;
    try {
      await iam('CreateUser', { UserName: userName, Path: role.user_path || undefined });
      if (role.policy_document) {
        await iam('PutUserPolicy', {
          UserName: userName,
          PolicyName: name,
          PolicyDocument: role.policy_document,
        });
      }
      for (const arn of role.policy_arns)
        await iam('AttachUserPolicy', { UserName: userName, PolicyArn: arn });
      for (const group of role.iam_groups)
        await iam('AddUserToGroup', { UserName: userName, GroupName: group });
      keyXml = await iam('CreateAccessKey', { UserName: userName });
    } catch (error) {
      return this.awsFailure('Error creating IAM user', error);
    }
    const accessKeyId = xmlValue(keyXml, 'AccessKeyId')!;
    // Revoking the lease deletes the IAM user, and with it the key (`secretAccessKeysRevoke`).
    this.vault.registerLease(req.token, leaseId, async () => {
      await iam('DeleteAccessKey', { UserName: userName, AccessKeyId: accessKeyId }).catch(
        () => undefined,
      );
      await iam('DeleteUser', { UserName: userName }).catch(() => undefined);
    });
    const data: Record<string, unknown> = {
      access_key: accessKeyId,
      secret_key: xmlValue(keyXml, 'SecretAccessKey'),
      [this.vault.traits.sessionTokenField ? 'session_token' : 'security_token']: null,
    };
    const duration =
      this.leaseConfig.lease > 0 ? this.leaseConfig.lease : req.mount.ttls.defaultLeaseTtl;
    return { kind: 'ok', data, lease: { id: leaseId, duration, renewable: true }, warnings };
  }

  private awsFailure(prefix: string, error: unknown): BackendReply {
    if (error instanceof AwsApiError) {
      if (error.isThrottling()) return errorReply(502, 'upstream rate limited');
      return errorReply(400, `${prefix}: ${error.goString()}`);
    }
    return errorReply(
      400,
      `${prefix}: RequestError: send request failed\ncaused by: ${String(error)}`,
    );
  }
}

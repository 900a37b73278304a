/**
 * A loopback AWS endpoint answering STS and a slice of IAM over the query protocol, with real
 * SigV4 verification. It is the only record of which keys exist and until when.
 */
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../../src/core/clock.js';
import type { Clock } from '../../../src/core/ports.js';
import {
  AwsError,
  accessDenied,
  constraintViolations,
  missingAuthenticationToken,
  noSuchEntity,
  validationError,
} from './errors.js';
import { ConsoleFederation, FEDERATION_PATH } from './federation.js';
import { parseAuth, verifyRequest, type ReceivedRequest } from './sigv4.js';
import {
  IAM_NAMESPACE,
  STS_NAMESPACE,
  actionResponse,
  errorResponse,
  type XmlTree,
} from './xml.js';

export interface AwsEmulatorOptions {
  /** Drives key expiry, the skew check, Expiration values and the Date header. */
  clock?: Clock;
  accountId?: string;
  /** AWS's minimum DurationSeconds is 900; a test may lower it. */
  minDurationSeconds?: number;
  host?: string;
  port?: number;
}

export interface AwsKeys {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  /** Milliseconds since the epoch; only temporary keys expire. */
  expiresAt?: number;
  arn: string;
}

export type AwsKeyKind = 'user' | 'assumed-role' | 'federated-user' | 'session';

export interface AwsFault {
  /** Only calls of this action; any verified call when left out. */
  action?: string;
  code: string;
  message: string;
  status: number;
  times?: number;
}

export interface AwsRequestRecord {
  at: number;
  /**
   * The signing service from the credential scope, 'unknown' when it could not be read, or
   * 'signin' for the console federation endpoint (federation.ts).
   */
  service: string;
  action?: string;
  accessKeyId?: string;
  status: number;
  errorCode?: string;
}

/** Who a key speaks for, as GetCallerIdentity reports it. */
interface Principal {
  arn: string;
  userId: string;
  accountId: string;
  /** The IAM user behind a user or session key. */
  userName?: string;
}

interface IssuedKey extends Principal {
  kind: AwsKeyKind;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiresAt?: number;
  /** An assumed role whose AssumeRole call was signed with temporary keys (role chaining). */
  chained?: boolean;
}

interface IamUser {
  accountId: string;
  userName: string;
  userId: string;
  path: string;
  arn: string;
  createdAt: number;
}

interface Role {
  name: string;
  accountId: string;
  roleId: string;
  maxSessionDurationSeconds: number;
}

type Params = Map<string, string>;
type Handler = (params: Params, caller: IssuedKey) => XmlTree | undefined;

const SERVICES = {
  sts: { version: '2011-06-15', namespace: STS_NAMESPACE },
  iam: { version: '2010-05-08', namespace: IAM_NAMESPACE },
} as const;
type Service = keyof typeof SERVICES;

const ROLE_ARN = /^arn:aws:iam::(\d{12}):role\/(?:[\x21-\x7e]*\/)?([\w+=,.@-]{1,64})$/;
const NAME_PATTERN = '[\\w+=,.@-]*';
const IAM_PATH_PATTERN = '(\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)';
const ACCESS_KEYS_PER_USER = 2;

const UPPER_AND_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
// Real session tokens begin with these bytes ("IQoJb3JpZ2luX2Vj", which spells origin_ec).
const TOKEN_PREFIX = Buffer.from('IQoJb3JpZ2luX2Vj', 'base64');

function randomChars(alphabet: string, length: number): string {
  let text = '';
  for (let i = 0; i < length; i++) text += alphabet[randomInt(alphabet.length)];
  return text;
}

/** AKIA/ASIA key ids have 16 characters after the prefix, AIDA/AROA unique ids 17. */
const newId = (prefix: 'AKIA' | 'ASIA' | 'AIDA' | 'AROA') =>
  prefix + randomChars(UPPER_AND_DIGITS, prefix === 'AKIA' || prefix === 'ASIA' ? 16 : 17);

/**
 * Long base64, like real tokens. Writers of ~/.aws/credentials must cope with a trailing '=', so
 * about half end in '=' or '==': 12 + 300 + r bytes, with r = 0, 1, 2, 0 drawn evenly.
 */
function newSessionToken(): string {
  return Buffer.concat([TOKEN_PREFIX, randomBytes(300 + (randomInt(4) % 3))]).toString('base64');
}

/** 2026-11-28T10:00:00Z: UTC, whole seconds, as STS and IAM print times. */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

const describeValue = (value: string | undefined) => (value === undefined ? 'null' : `'${value}'`);

/** Model constraints of a name-like parameter, in AWS's "Value … at 'field' …" wording. */
function nameProblems(
  value: string | undefined,
  field: string,
  minLength: number,
  maxLength: number,
): string[] {
  const at = `Value ${describeValue(value)} at '${field}' failed to satisfy constraint: Member must`;
  if (value === undefined) return [`${at} not be null`];
  const problems: string[] = [];
  if (value.length < minLength)
    problems.push(`${at} have length greater than or equal to ${minLength}`);
  if (value.length > maxLength)
    problems.push(`${at} have length less than or equal to ${maxLength}`);
  if (!/^[\w+=,.@-]*$/.test(value))
    problems.push(`${at} satisfy regular expression pattern: ${NAME_PATTERN}`);
  return problems;
}

function requiredProblems(params: Params, fields: Record<string, string>): string[] {
  return Object.entries(fields)
    .filter(([param]) => params.get(param) === undefined)
    .map(
      ([, field]) =>
        `Value null at '${field}' failed to satisfy constraint: Member must not be null`,
    );
}

function toReceivedRequest(req: IncomingMessage, body: Buffer): ReceivedRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const decode = (text: string) => {
    try {
      return decodeURIComponent(text);
    } catch {
      return text; // left as is, so the canonical query differs and the signature fails
    }
  };
  const query = (q < 0 ? '' : url.slice(q + 1))
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair): [string, string] => {
      const eq = pair.indexOf('=');
      return eq < 0 ? [decode(pair), ''] : [decode(pair.slice(0, eq)), decode(pair.slice(eq + 1))];
    });
  // rawHeaders, not req.headers: Node drops duplicate Host headers and joins others with ", ".
  const headers = new Map<string, string[]>();
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = req.rawHeaders[i]!.toLowerCase();
    headers.set(name, [...(headers.get(name) ?? []), req.rawHeaders[i + 1]!]);
  }
  return { method: req.method ?? 'GET', path: q < 0 ? url : url.slice(0, q), query, headers, body };
}

/** Action parameters: the query (minus presigning fields) and then a form body, which wins. */
function actionParams(req: ReceivedRequest): Params {
  const params: Params = new Map(req.query.filter(([key]) => !key.startsWith('X-Amz-')));
  const contentType = req.headers.get('content-type')?.[0] ?? '';
  if (contentType.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    for (const [key, value] of new URLSearchParams(req.body.toString('utf8'))) {
      params.set(key, value);
    }
  }
  return params;
}

export class AwsEmulator {
  readonly url: string;
  readonly accountId: string;
  /** Every answered request, in the order answered (one whose client left mid-body is not). */
  readonly requests: AwsRequestRecord[] = [];

  private readonly keys = new Map<string, IssuedKey>();
  /** IAM users by `<account>/<name>`. */
  private readonly users = new Map<string, IamUser>();
  private readonly roles = new Map<string, Role>();
  private readonly faults: Array<AwsFault & { times: number }> = [];
  private readonly clock: Clock;
  private readonly minDurationSeconds: number;
  private readonly federation: ConsoleFederation;

  private readonly handlers: Record<Service, Record<string, Handler>> = {
    sts: {
      GetCallerIdentity: (_params, caller) => ({
        Arn: caller.arn,
        UserId: caller.userId,
        Account: caller.accountId,
      }),
      AssumeRole: (params, caller) => this.assumeRole(params, caller),
      GetFederationToken: (params, caller) => this.getFederationToken(params, caller),
      GetSessionToken: (params, caller) => this.getSessionToken(params, caller),
    },
    iam: {
      CreateUser: (params, caller) => this.createIamUser(params, caller),
      PutUserPolicy: this.acceptForUser({
        PolicyName: 'policyName',
        PolicyDocument: 'policyDocument',
      }),
      AttachUserPolicy: this.acceptForUser({ PolicyArn: 'policyArn' }),
      AddUserToGroup: this.acceptForUser({ GroupName: 'groupName' }),
      CreateAccessKey: (params, caller) => this.createAccessKey(params, caller),
      DeleteAccessKey: (params, caller) => this.deleteAccessKey(params, caller),
      DeleteUser: (params, caller) => {
        this.checkRequired(params, { UserName: 'userName' });
        this.deleteUser(this.findUser(caller.accountId, params.get('UserName')!));
        return undefined;
      },
    },
  };

  private constructor(
    private readonly server: Server,
    options: AwsEmulatorOptions,
  ) {
    this.clock = options.clock ?? systemClock;
    this.accountId = options.accountId ?? '123456789012';
    this.minDurationSeconds = options.minDurationSeconds ?? 900;
    this.federation = new ConsoleFederation({
      clock: this.clock,
      findKey: (accessKeyId) => this.keys.get(accessKeyId),
      record: (entry) => this.requests.push(entry),
    });
    const { address, port } = server.address() as AddressInfo;
    this.url = `http://${address.includes(':') ? `[${address}]` : address}:${port}`;
    server.on('request', (req, res) => void this.handle(req, res));
  }

  /** AWS's console federation endpoint, served here (VAULT_AWS_TRAY_FEDERATION_URL). */
  get federationUrl(): string {
    return `${this.url}${FEDERATION_PATH}`;
  }

  static async start(options: AwsEmulatorOptions = {}): Promise<AwsEmulator> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
    });
    return new AwsEmulator(server, options);
  }

  /** A long-term IAM user with one AKIA key pair, as Vault's aws/config/root holds. */
  createUser(userName: string, options: { accountId?: string; path?: string } = {}): AwsKeys {
    const user = this.addUser(options.accountId ?? this.accountId, userName, options.path ?? '/');
    if (!user) throw new Error(`IAM user ${userName} already exists`);
    const { accessKeyId, secretAccessKey, arn } = this.issueUserKey(user);
    return { accessKeyId, secretAccessKey, arn };
  }

  /** A role AssumeRole may assume (no trust policy is modelled: any known caller may). */
  addRole(roleArn: string, options: { maxSessionDurationSeconds?: number } = {}): void {
    const match = ROLE_ARN.exec(roleArn);
    if (!match) throw new Error(`not an IAM role ARN: ${roleArn}`);
    this.roles.set(roleArn, {
      accountId: match[1]!,
      name: match[2]!,
      roleId: newId('AROA'),
      maxSessionDurationSeconds: options.maxSessionDurationSeconds ?? 3600,
    });
  }

  /** What the emulator knows of a key (expired keys stay listed), or undefined once deleted or never issued. */
  describeKey(accessKeyId: string): (AwsKeys & { kind: AwsKeyKind }) | undefined {
    const key = this.keys.get(accessKeyId);
    if (!key) return undefined;
    const { secretAccessKey, sessionToken, expiresAt, arn, kind } = key;
    return { accessKeyId, secretAccessKey, sessionToken, expiresAt, arn, kind };
  }

  /** The next `times` (default 1) verified calls of `action` (or of any action) fail with this error. */
  injectFault(fault: AwsFault): void {
    this.faults.push({ ...fault, times: fault.times ?? 1 });
  }

  async stop(): Promise<void> {
    if (!this.server.listening) return;
    await new Promise<void>((resolve, reject) => {
      this.server.close((error) => (error ? reject(error) : resolve()));
      this.server.closeAllConnections(); // keep-alive sockets of SDK clients would hold close() open
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const record: AwsRequestRecord = { at: this.clock.now(), service: 'unknown', status: 0 };
    let body: Buffer;
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      body = Buffer.concat(chunks);
    } catch {
      res.destroy(); // the client went away mid-request; nothing to answer
      return;
    }
    if (this.federation.handles(req.url)) return this.federation.respond(req, body, res);
    const requestId = randomUUID();
    let namespace: string = STS_NAMESPACE;
    let xml: string;
    try {
      const received = toReceivedRequest(req, body);
      const auth = parseAuth(received, Object.keys(SERVICES));
      if (!auth) throw missingAuthenticationToken();
      const service = auth.service as Service;
      record.service = service;
      record.accessKeyId = auth.accessKeyId;
      namespace = SERVICES[service].namespace;
      const caller = verifyRequest(
        received,
        auth,
        this.keys.get(auth.accessKeyId),
        this.clock.now(),
      );
      const params = actionParams(received);
      const action = params.get('Action');
      record.action = action;
      this.throwInjectedFault(action);
      const result = this.dispatch(service, params, caller);
      xml = actionResponse(namespace, action!, result, requestId);
      record.status = 200;
    } catch (error) {
      const awsError =
        error instanceof AwsError
          ? error
          : new AwsError(
              'InternalFailure',
              'The request processing has failed because of an unknown error, exception or failure.',
              500,
            );
      xml = errorResponse(namespace, awsError, requestId);
      record.status = awsError.status;
      record.errorCode = awsError.code;
    }
    this.requests.push(record);
    res.writeHead(record.status, {
      'Content-Type': 'text/xml',
      'Content-Length': Buffer.byteLength(xml),
      Date: new Date(this.clock.now()).toUTCString(),
      'x-amzn-RequestId': requestId,
    });
    res.end(xml);
  }

  private throwInjectedFault(action: string | undefined): void {
    const index = this.faults.findIndex((f) => f.action === undefined || f.action === action);
    if (index < 0) return;
    const fault = this.faults[index]!;
    if (--fault.times <= 0) this.faults.splice(index, 1);
    throw new AwsError(fault.code, fault.message, fault.status);
  }

  private dispatch(service: Service, params: Params, caller: IssuedKey): XmlTree | undefined {
    const action = params.get('Action');
    if (action === undefined) {
      throw new AwsError('MissingAction', 'The request must contain the parameter Action', 400);
    }
    const version = params.get('Version') ?? 'NO_VERSION_SPECIFIED';
    const handlers = this.handlers[service];
    if (version !== SERVICES[service].version || !Object.hasOwn(handlers, action)) {
      throw new AwsError(
        'InvalidAction',
        `Could not find operation ${action} for version ${version}`,
        400,
      );
    }
    return handlers[action]!(params, caller);
  }

  /**
   * Policies and groups are not modelled: such calls are checked (parameters, user) and answered,
   * and `requests` is their record.
   */
  private acceptForUser(fields: Record<string, string>): Handler {
    return (params, caller) => {
      this.checkRequired(params, { UserName: 'userName', ...fields });
      this.findUser(caller.accountId, params.get('UserName')!);
      return undefined;
    };
  }

  private checkRequired(params: Params, fields: Record<string, string>): void {
    const problems = requiredProblems(params, fields);
    if (problems.length > 0) throw constraintViolations(problems);
  }

  /** DurationSeconds within [minDurationSeconds, max]; problems are collected, not thrown. */
  private durationSeconds(
    params: Params,
    fallback: number,
    max: number,
    problems: string[],
  ): number {
    const raw = params.get('DurationSeconds');
    if (raw === undefined) return fallback;
    const at = `Value '${raw}' at 'durationSeconds' failed to satisfy constraint: Member must`;
    if (!/^-?\d+$/.test(raw)) problems.push(`${at} be an integer`);
    const value = Number(raw);
    if (value < this.minDurationSeconds)
      problems.push(`${at} have value greater than or equal to ${this.minDurationSeconds}`);
    if (value > max) problems.push(`${at} have value less than or equal to ${max}`);
    return value;
  }

  private issueTemporary(
    kind: AwsKeyKind,
    principal: Principal,
    durationSeconds: number,
  ): IssuedKey {
    const now = this.clock.now();
    const key: IssuedKey = {
      ...principal,
      kind,
      accessKeyId: newId('ASIA'),
      secretAccessKey: randomChars(BASE64, 40),
      sessionToken: newSessionToken(),
      // Expiration is printed in whole seconds, so the key dies exactly at the printed instant.
      expiresAt: now - (now % 1000) + durationSeconds * 1000,
    };
    this.keys.set(key.accessKeyId, key);
    return key;
  }

  private assumeRole(params: Params, caller: IssuedKey): XmlTree {
    const roleArn = params.get('RoleArn');
    const sessionName = params.get('RoleSessionName');
    const problems = [
      ...requiredProblems(params, { RoleArn: 'roleArn' }),
      ...nameProblems(sessionName, 'roleSessionName', 2, 64),
    ];
    const duration = this.durationSeconds(params, 3600, 43200, problems);
    if (problems.length > 0) throw constraintViolations(problems);
    const role = this.roles.get(roleArn!);
    // Federation-token credentials may call nothing in STS but GetCallerIdentity.
    if (!role || caller.kind === 'federated-user') {
      throw accessDenied(
        `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
      );
    }
    if (caller.kind === 'assumed-role' && duration > 3600) {
      throw validationError(
        'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.',
      );
    }
    if (duration > role.maxSessionDurationSeconds) {
      throw validationError(
        'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
      );
    }
    const principal: Principal = {
      arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
      userId: `${role.roleId}:${sessionName}`,
      accountId: role.accountId,
    };
    const key = this.issueTemporary('assumed-role', principal, duration);
    key.chained = caller.kind !== 'user';
    return {
      Credentials: credentialsXml(key),
      AssumedRoleUser: { AssumedRoleId: principal.userId, Arn: principal.arn },
    };
  }

  private getFederationToken(params: Params, caller: IssuedKey): XmlTree {
    const name = params.get('Name');
    const problems = nameProblems(name, 'name', 2, 32);
    const duration = this.durationSeconds(params, 43200, 129600, problems);
    if (problems.length > 0) throw constraintViolations(problems);
    if (caller.kind !== 'user')
      throw accessDenied('Cannot call GetFederationToken with session credentials');
    const principal: Principal = {
      arn: `arn:aws:sts::${caller.accountId}:federated-user/${name}`,
      userId: `${caller.accountId}:${name}`,
      accountId: caller.accountId,
    };
    const key = this.issueTemporary('federated-user', principal, duration);
    return {
      Credentials: credentialsXml(key),
      FederatedUser: { FederatedUserId: principal.userId, Arn: principal.arn },
    };
  }

  private getSessionToken(params: Params, caller: IssuedKey): XmlTree {
    const problems: string[] = [];
    const duration = this.durationSeconds(params, 43200, 129600, problems);
    if (problems.length > 0) throw constraintViolations(problems);
    if (caller.kind !== 'user')
      throw accessDenied('Cannot call GetSessionToken with session credentials');
    const { arn, userId, accountId, userName } = caller;
    const key = this.issueTemporary('session', { arn, userId, accountId, userName }, duration);
    return { Credentials: credentialsXml(key) };
  }

  private addUser(accountId: string, userName: string, path: string): IamUser | undefined {
    const id = `${accountId}/${userName}`;
    if (this.users.has(id)) return undefined;
    const user: IamUser = {
      accountId,
      userName,
      path,
      userId: newId('AIDA'),
      arn: `arn:aws:iam::${accountId}:user${path}${userName}`,
      createdAt: this.clock.now(),
    };
    this.users.set(id, user);
    return user;
  }

  private issueUserKey(user: IamUser): IssuedKey {
    const key: IssuedKey = {
      kind: 'user',
      accessKeyId: newId('AKIA'),
      secretAccessKey: randomChars(BASE64, 40),
      arn: user.arn,
      userId: user.userId,
      accountId: user.accountId,
      userName: user.userName,
    };
    this.keys.set(key.accessKeyId, key);
    return key;
  }

  private userKeys(user: IamUser): IssuedKey[] {
    return [...this.keys.values()].filter(
      (k) => k.kind === 'user' && k.accountId === user.accountId && k.userName === user.userName,
    );
  }

  private findUser(accountId: string, userName: string): IamUser {
    const user = this.users.get(`${accountId}/${userName}`);
    if (!user) throw noSuchEntity(`The user with name ${userName} cannot be found.`);
    return user;
  }

  /** The UserName parameter, or the calling IAM user when it is left out (as IAM does). */
  private targetUser(params: Params, caller: IssuedKey): IamUser {
    const userName =
      params.get('UserName') ?? (caller.kind === 'user' ? caller.userName : undefined);
    if (userName === undefined)
      throw validationError('Must specify userName when calling with non-User credentials');
    return this.findUser(caller.accountId, userName);
  }

  private createIamUser(params: Params, caller: IssuedKey): XmlTree {
    const userName = params.get('UserName');
    const path = params.get('Path') ?? '/';
    const problems = nameProblems(userName, 'userName', 1, 64);
    if (!/^\/(?:[\x21-\x7e]+\/)?$/.test(path)) {
      problems.push(
        `Value '${path}' at 'path' failed to satisfy constraint: Member must satisfy regular expression pattern: ${IAM_PATH_PATTERN}`,
      );
    }
    if (problems.length > 0) throw constraintViolations(problems);
    const user = this.addUser(caller.accountId, userName!, path);
    if (!user)
      throw new AwsError('EntityAlreadyExists', `User with name ${userName} already exists.`, 409);
    return {
      User: {
        Path: user.path,
        UserName: user.userName,
        UserId: user.userId,
        Arn: user.arn,
        CreateDate: isoSeconds(user.createdAt),
      },
    };
  }

  private createAccessKey(params: Params, caller: IssuedKey): XmlTree {
    const user = this.targetUser(params, caller);
    if (this.userKeys(user).length >= ACCESS_KEYS_PER_USER) {
      throw new AwsError(
        'LimitExceeded',
        `Cannot exceed quota for AccessKeysPerUser: ${ACCESS_KEYS_PER_USER}`,
        409,
      );
    }
    const key = this.issueUserKey(user);
    return {
      AccessKey: {
        UserName: user.userName,
        AccessKeyId: key.accessKeyId,
        Status: 'Active',
        SecretAccessKey: key.secretAccessKey,
        CreateDate: isoSeconds(this.clock.now()),
      },
    };
  }

  private deleteAccessKey(params: Params, caller: IssuedKey): undefined {
    this.checkRequired(params, { AccessKeyId: 'accessKeyId' });
    const accessKeyId = params.get('AccessKeyId')!;
    const user = this.targetUser(params, caller);
    if (!this.userKeys(user).some((k) => k.accessKeyId === accessKeyId)) {
      throw noSuchEntity(`The Access Key with id ${accessKeyId} cannot be found.`);
    }
    this.keys.delete(accessKeyId);
    return undefined;
  }

  /**
   * Real IAM refuses (DeleteConflict) while keys, policies or groups remain; here DeleteUser takes
   * the keys along, so a revoke that only calls DeleteUser still leaves them unknown.
   */
  private deleteUser(user: IamUser): void {
    for (const key of this.userKeys(user)) this.keys.delete(key.accessKeyId);
    this.users.delete(`${user.accountId}/${user.userName}`);
  }
}

function credentialsXml(key: IssuedKey): XmlTree {
  return {
    AccessKeyId: key.accessKeyId,
    SecretAccessKey: key.secretAccessKey,
    SessionToken: key.sessionToken,
    Expiration: isoSeconds(key.expiresAt!),
  };
}

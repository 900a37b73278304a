import type { z } from '../../shared/zod.js';
import type { Logger } from '../ports.js';
import {
  errorFromResponse,
  errorFromTransport,
  looksLikeVault,
  notVaultError,
  VaultError,
} from './errors.js';
import { httpExchange } from './http-exchange.js';
import type { HttpExchange, HttpReply } from './http-exchange.js';
import { envelopeSchema, errorBodySchema, healthSchema, listDataSchema } from './schemas.js';
import type { VaultHealth } from './schemas.js';
import { agentsFor, TlsConfigError } from './transport.js';
import type { TlsSettings } from './transport.js';

export interface VaultClientOptions {
  /** e.g. https://vault.example.com:8200 */
  address: string;
  namespace?: string;
  token?: string;
  tls?: TlsSettings;
  /** Where HTTPS_PROXY / NO_PROXY are read from. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
  logger?: Logger;
}

/** A parsed Vault answer, with what the client learned on the way. */
export interface VaultResponse<T> {
  data: T;
  envelope: z.infer<ReturnType<typeof envelopeSchema<z.ZodType<T>>>>;
  warnings: string[];
  /** The server's clock from the `Date` header (ms), for skew checks. */
  serverDate?: number;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Vault's Go client retries 412 (not yet consistent, or an Agent asking for X-Vault-Request). */
const RETRY_412_DELAYS_MS = [250, 500];
const DEFAULT_TIMEOUT_MS = 30_000;
/** Vault's Go client follows one; three leave room for a proxy's hop without following a loop. */
const MAX_REDIRECTS = 3;

/**
 * An HTTP client for Vault's API. Every request carries `X-Vault-Request`, the token and the
 * namespace; every answer is validated; every failure becomes a {@link VaultError}.
 */
export class VaultClient {
  readonly address: string;
  private readonly http: HttpExchange;

  constructor(
    private readonly options: VaultClientOptions,
    http?: HttpExchange,
  ) {
    this.address = options.address.replace(/\/+$/, '');
    this.http = http ?? this.createHttp();
  }

  /** The same connection (agents, TLS, proxy) with another token. */
  withToken(token: string | undefined): VaultClient {
    return new VaultClient({ ...this.options, token }, this.http);
  }

  private createHttp(): HttpExchange {
    let agents;
    try {
      agents = agentsFor(this.address, this.options.tls ?? {}, this.options.env ?? {});
    } catch (error) {
      if (error instanceof TlsConfigError)
        throw new VaultError('tls', error.message, { cause: error });
      throw error;
    }
    if (this.options.tls?.skipVerify) {
      this.options.logger?.warn(
        `TLS verification is OFF for ${this.address} (VAULT_SKIP_VERIFY): anyone on the network path can read your Vault token`,
      );
    }
    return httpExchange(agents, this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS);
  }

  read<T>(
    path: string,
    data: z.ZodType<T>,
    query?: Record<string, string>,
  ): Promise<VaultResponse<T>> {
    return this.request('GET', path, { data, query });
  }

  write<T>(
    path: string,
    body: Record<string, unknown>,
    data: z.ZodType<T>,
  ): Promise<VaultResponse<T>> {
    return this.request('POST', path, { data, body });
  }

  /** LIST as `GET ?list=true`; an empty list is Vault's 404 with no errors, which means none. */
  async list(path: string): Promise<string[]> {
    try {
      return (await this.read(path, listDataSchema, { list: 'true' })).data.keys;
    } catch (error) {
      if (
        error instanceof VaultError &&
        error.kind === 'not_found' &&
        error.details.vaultErrors?.length === 0
      )
        return [];
      throw error;
    }
  }

  /**
   * `sys/health`, asking for 299 in every non-active state so the body can always be read (the
   * Go client's trick). Unauthenticated; says whether Vault is sealed or a standby, and its time.
   */
  async health(): Promise<VaultHealth & { serverDate?: number }> {
    const url = new URL(`${this.address}/v1/sys/health`);
    for (const code of [
      'standbycode',
      'sealedcode',
      'uninitcode',
      'drsecondarycode',
      'performancestandbycode',
    ]) {
      url.searchParams.set(code, '299');
    }
    const response = await this.send('GET', url, undefined, 'sys/health');
    const json = safeJson(response.data);
    const parsed = healthSchema.safeParse(json);
    if (response.status >= 400 || !parsed.success) {
      // Vault answers sys/health in every state (with the codes above): anything else is a
      // Vault error, a proxy's failure in front of it, or not Vault at all.
      const errors = errorBodySchema.safeParse(json);
      if (response.status >= 400 && errors.success)
        throw errorFromResponse(response.status, errors.data.errors, 'sys/health', this.address);
      if (response.status >= 500)
        throw errorFromResponse(response.status, [], 'sys/health', this.address);
      throw notVaultError(this.address, 'sys/health', response.status);
    }
    const dateHeader = response.headers.date;
    return { ...parsed.data, serverDate: dateHeader ? Date.parse(dateHeader) : undefined };
  }

  /**
   * A form POST whose answer is a page, not JSON (the OIDC form_post callback); only a failure
   * to reach Vault is an error, as with the vault CLI's plain http.PostForm.
   */
  async postForm(path: string, form: URLSearchParams): Promise<void> {
    const url = new URL(`${this.address}/v1/${path.replace(/^\/+/, '')}`);
    try {
      await this.http({
        method: 'POST',
        url,
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: form.toString(),
      });
    } catch (error) {
      throw errorFromTransport(error, this.address, path);
    }
  }

  /** For endpoints that answer 204 (revoke-self) or whose body does not matter. */
  async post(path: string, body: Record<string, unknown> = {}): Promise<void> {
    await this.request('POST', path, { body });
  }

  async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    options: {
      data?: z.ZodType<T>;
      body?: Record<string, unknown>;
      query?: Record<string, string>;
    } = {},
  ): Promise<VaultResponse<T>> {
    const cleanPath = path.replace(/^\/+/, '');
    let url = new URL(`${this.address}/v1/${cleanPath}`);
    for (const [k, v] of Object.entries(options.query ?? {})) url.searchParams.set(k, v);
    let redirects = 0;
    let attempt = 0;
    for (;;) {
      const response = await this.send(method, url, options.body, cleanPath);
      if (response.status === 307 || response.status === 302 || response.status === 301) {
        url = this.followRedirect(url, response, ++redirects, cleanPath);
        continue;
      }
      if (response.status === 412 && attempt < RETRY_412_DELAYS_MS.length) {
        await new Promise((resolve) => setTimeout(resolve, RETRY_412_DELAYS_MS[attempt++]));
        continue;
      }
      return this.parse(response, cleanPath, options.data);
    }
  }

  private async send(method: string, url: URL, body: unknown, path: string): Promise<HttpReply> {
    const headers: Record<string, string> = { 'X-Vault-Request': 'true' };
    if (this.options.token) headers['X-Vault-Token'] = this.options.token;
    if (this.options.namespace) headers['X-Vault-Namespace'] = this.options.namespace;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    try {
      return await this.http({
        method,
        url,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      throw errorFromTransport(error, this.address, path);
    }
  }

  /**
   * The next hop of a redirect (a standby pointing at the active node, on another origin, keeps
   * the token as Vault's Go client does): a few at most, and never from https to plain http.
   */
  private followRedirect(from: URL, response: HttpReply, count: number, path: string): URL {
    const location = response.headers.location;
    if (count > MAX_REDIRECTS || !location) {
      throw new VaultError(
        'standby',
        location
          ? `Vault at ${this.address} redirected more than ${MAX_REDIRECTS} times for ${path} (a redirect loop?); refused`
          : `Vault at ${this.address} redirected ${path} without saying where to`,
        { path, status: response.status },
      );
    }
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      throw notVaultError(this.address, path, response.status);
    }
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
      throw notVaultError(this.address, path, response.status);
    }
    if (from.protocol === 'https:' && next.protocol !== 'https:') {
      throw new VaultError(
        'tls',
        `Vault at ${this.address} redirected to ${next.origin} without TLS; refused`,
        { path, status: response.status },
      );
    }
    return next;
  }

  private parse<T>(response: HttpReply, path: string, data?: z.ZodType<T>): VaultResponse<T> {
    const dateHeader = response.headers.date;
    const serverDate = dateHeader ? Date.parse(dateHeader) : undefined;
    const text = response.data;
    // A web server that is not Vault (a portal, the wrong port) would otherwise read as a
    // refusal (its 403 as "permission denied") or as nothing at the path (its 404).
    if (!looksLikeVault(response) && response.status < 500)
      throw notVaultError(this.address, path, response.status);
    let json: unknown;
    if (text !== '') {
      try {
        json = JSON.parse(text);
      } catch (error) {
        if (response.status >= 400)
          throw errorFromResponse(response.status, [], path, this.address);
        throw new VaultError(
          'malformed_response',
          `Vault at ${this.address} sent a reply to ${path} that is not JSON`,
          {
            path,
            status: response.status,
            cause: error,
          },
        );
      }
    }
    if (response.status >= 400) {
      const body = errorBodySchema.safeParse(json);
      throw errorFromResponse(
        response.status,
        body.success ? body.data.errors : [],
        path,
        this.address,
      );
    }
    if (response.status === 204 || !data) {
      return { data: undefined as T, envelope: undefined as never, warnings: [], serverDate };
    }
    const parsed = envelopeSchema(data).safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new VaultError(
        'malformed_response',
        `Vault at ${this.address} sent an unexpected reply to ${path} (${issue?.path.join('.') || 'body'}: ${issue?.message})`,
        { path, status: response.status },
      );
    }
    const envelope = parsed.data;
    return {
      data: envelope.data as T,
      envelope: envelope as VaultResponse<T>['envelope'],
      warnings: envelope.warnings ?? [],
      serverDate,
    };
  }
}

import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT } from 'jose';
import Provider, { type ClientMetadata, type Configuration } from 'oidc-provider';
import { createInteractionHandler } from './interactions.js';
import { createMemoryAdapter } from './memory-adapter.js';
import { deviceCodeInputPage, deviceConfirmPage, deviceSuccessPage, errorPage } from './pages.js';
import { generateSigningKey, type SigningKey } from './signing-key.js';
import { DEFAULT_USERS, type IdpUser } from './users.js';

export interface IdentityProviderOptions {
  users?: IdpUser[];
  vaultClient?: { clientId: string; clientSecret: string };
  /** The app's public native client, used by the app's own OIDC login for Vault's jwt method. */
  appClientId?: string;
  port?: number;
  host?: string;
  idTokenTtlSeconds?: number;
  /** How long a device code stays valid (default 600 s); a test of expiry makes it short. */
  deviceCodeTtlSeconds?: number;
  /** `interval` announced in device authorization responses; openid-client waits 5 s without one. */
  deviceFlowIntervalSeconds?: number;
}

export interface SignJwtOptions {
  expiresInSeconds?: number;
  issuedAt?: number;
  audience?: string | string[];
  issuer?: string;
}

// Vault's CLI listens on localhost:8250 by default; any loopback port matches (see clientMetadata).
export const VAULT_REDIRECT_URIS = [
  'http://localhost:8250/oidc/callback',
  'http://127.0.0.1:8250/oidc/callback',
];
export const APP_REDIRECT_URIS = ['http://127.0.0.1/callback', 'http://localhost/callback'];
export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

const INTERACTION_PATH = /^\/interaction\/([\w-]+)$/;

/** A real OpenID provider (oidc-provider) on loopback with a login form of our own. */
export class IdentityProvider {
  private constructor(
    readonly issuer: string,
    readonly users: IdpUser[],
    readonly vaultClient: { clientId: string; clientSecret: string },
    readonly appClientId: string,
    private readonly idTokenTtlSeconds: number,
    private readonly signingKey: SigningKey,
    private readonly server: Server,
  ) {}

  static async start(options: IdentityProviderOptions = {}): Promise<IdentityProvider> {
    const users = options.users ?? DEFAULT_USERS;
    const vaultClient = options.vaultClient ?? {
      clientId: 'vault',
      clientSecret: randomBytes(24).toString('base64url'),
    };
    const appClientId = options.appClientId ?? 'vault-aws-tray';
    const idTokenTtlSeconds = options.idTokenTtlSeconds ?? 3600;
    const host = options.host ?? '127.0.0.1';
    const signingKey = await generateSigningKey();

    // The issuer contains the port, so the port must be bound before the provider exists.
    const server = createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, host, () => resolve());
    });
    const { port } = server.address() as AddressInfo;
    const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

    const provider = new Provider(
      issuer,
      configuration({
        users,
        vaultClient,
        appClientId,
        idTokenTtlSeconds,
        deviceCodeTtlSeconds: options.deviceCodeTtlSeconds ?? 600,
        signingKey,
      }),
    );
    announceDeviceInterval(provider, options.deviceFlowIntervalSeconds ?? 1);

    const handleInteraction = createInteractionHandler(provider, users);
    const handleProtocol = provider.callback();
    server.on('request', (req, res) => {
      const uid = INTERACTION_PATH.exec(new URL(req.url ?? '/', issuer).pathname)?.[1];
      if (uid) void handleInteraction(req, res, uid);
      else void handleProtocol(req, res);
    });

    return new IdentityProvider(
      issuer,
      users,
      vaultClient,
      appClientId,
      idTokenTtlSeconds,
      signingKey,
      server,
    );
  }

  /**
   * Signs any claims with the provider's own key (kid published in its JWKS). Defaults: iss = this
   * issuer, aud = the app's client id, iat = now, exp = iat + id_token TTL. A claim given
   * explicitly wins, and one given as `undefined` is left out (e.g. `{ exp: undefined }`).
   */
  async signJwt(claims: Record<string, unknown>, options: SignJwtOptions = {}): Promise<string> {
    const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
    const payload = {
      iss: options.issuer ?? this.issuer,
      aud: options.audience ?? this.appClientId,
      iat,
      exp: iat + (options.expiresInSeconds ?? this.idTokenTtlSeconds),
      ...claims,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: this.signingKey.kid, typ: 'JWT' })
      .sign(this.signingKey.privateKey);
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

interface ConfigurationInput {
  users: IdpUser[];
  vaultClient: { clientId: string; clientSecret: string };
  appClientId: string;
  idTokenTtlSeconds: number;
  deviceCodeTtlSeconds: number;
  signingKey: SigningKey;
}

function configuration(input: ConfigurationInput): Configuration {
  const { users, vaultClient, appClientId, idTokenTtlSeconds, deviceCodeTtlSeconds, signingKey } =
    input;
  return {
    clients: clientMetadata(vaultClient, appClientId),
    jwks: { keys: [signingKey.privateJwk] as NonNullable<Configuration['jwks']>['keys'] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    adapter: createMemoryAdapter(),
    async findAccount(_ctx, sub) {
      const user = users.find((u) => u.sub === sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        claims: () => ({
          sub: user.sub,
          email: user.email,
          email_verified: true,
          name: user.name,
          groups: user.groups,
        }),
      };
    },
    scopes: ['openid', 'offline_access', 'email', 'profile', 'groups'],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
      groups: ['groups'],
    },
    // Put scope-requested claims into the id_token too: Vault's groups_claim and bound_claims read
    // the id_token, and the app's jwt login sends nothing else.
    conformIdTokenClaims: false,
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      deviceFlow: {
        enabled: true,
        userCodeInputSource(ctx, form, out) {
          ctx.body = deviceCodeInputPage(form, out && (out.error_description ?? out.error));
        },
        userCodeConfirmSource(ctx, form, client, _deviceInfo, userCode) {
          ctx.body = deviceConfirmPage(form, client.clientName ?? client.clientId, userCode);
        },
        successSource(ctx) {
          const { client } = ctx.oidc;
          ctx.body = deviceSuccessPage(client?.clientName ?? client?.clientId ?? '');
        },
      },
    },
    renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = errorPage({ ...out });
    },
    // Explicit lifetimes, which also keeps oidc-provider from printing a notice per default.
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 120,
      DeviceCode: deviceCodeTtlSeconds,
      Grant: 14 * 24 * 3600,
      IdToken: idTokenTtlSeconds,
      Interaction: 600,
      RefreshToken: 14 * 24 * 3600,
      Session: 14 * 24 * 3600,
    },
  };
}

/**
 * Both clients are `application_type: 'native'`: for native clients oidc-provider 9 compares
 * loopback redirect URIs (localhost, 127.0.0.1, [::1]) without their port (RFC 8252 §7.3), so
 * Vault's and the app's listeners may use ephemeral ports. A native client may still be
 * confidential, which is what Vault is.
 */
function clientMetadata(
  vaultClient: { clientId: string; clientSecret: string },
  appClientId: string,
): ClientMetadata[] {
  return [
    {
      client_id: vaultClient.clientId,
      client_secret: vaultClient.clientSecret,
      client_name: 'HashiCorp Vault',
      application_type: 'native',
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: VAULT_REDIRECT_URIS,
    },
    {
      client_id: appClientId,
      client_name: 'vault-aws-tray',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token', DEVICE_CODE_GRANT],
      response_types: ['code'],
      redirect_uris: APP_REDIRECT_URIS,
    },
  ];
}

function announceDeviceInterval(provider: Provider, seconds: number): void {
  // The event hands over the very object that becomes the response body.
  provider.on('device_authorization.success', (_ctx, response) => {
    response.interval = seconds;
  });
}

import type { Clock } from '../../src/core/ports.js';
import { IdentityProvider } from './idp/index.js';
import type { IdentityProviderOptions, IdpUser } from './idp/index.js';
import { AwsEmulator } from './sts/index.js';
import { AwsBackend, JwtBackend, VaultEmulator } from './vault/index.js';
import type { VaultVersion } from './vault/index.js';

/**
 * The test world configured like a real team's Vault (the seed article's setup): an OIDC role
 * `dev` for `vault login -method=oidc`, a JWT role for the app's own OIDC client, a policy that
 * reads `aws/creds/dev-readonly`, and AWS roles `dev-readonly` and a forbidden `prod-admin`.
 * `npm run stack`, the demo and the tests all start it through this function.
 */

export const STACK_REGION = 'eu-west-1';
export const OIDC_REDIRECT_URI = 'http://localhost:8250/oidc/callback';
export const DEV_ROLE_ARN = 'arn:aws:iam::123456789012:role/DevReadOnly';
export const PROD_ROLE_ARN = 'arn:aws:iam::210987654321:role/ProdAdmin';

export const DEV_POLICY = `
# Read short-lived AWS credentials for the dev-readonly role.
path "aws/creds/dev-readonly" {
  capabilities = ["read"]
}
`;

export interface StackOptions {
  version?: VaultVersion;
  /** One clock for Vault and STS (the OpenID provider keeps real time). */
  clock?: Clock;
  users?: IdpUser[];
  /** Lowers AWS's 900-second minimum for tests that wait for credentials to expire. */
  minStsDurationSeconds?: number;
  /**
   * Adds the Vault role `dev-short`, readable with the dev policy, whose credentials last this
   * many seconds (AWS's minimum is lowered to match): for the soak test and the daemon demo.
   */
  shortCredsSeconds?: number;
  ports?: { vault?: number; sts?: number; idp?: number };
  /** Options of the OpenID provider (a short device-code lifetime, say). */
  idp?: Omit<IdentityProviderOptions, 'users' | 'port'>;
}

export interface StackInfo {
  vault: { addr: string; rootToken: string; version: string };
  sts: { endpoint: string; region: string };
  idp: {
    issuer: string;
    appClientId: string;
    users: Array<{ email: string; password: string; groups: string[] }>;
  };
  oidc: { mount: string; role: string; redirectUri: string };
  jwt: { mount: string; role: string; audience: string };
  aws: { mount: string; roles: Record<string, { roleArn: string; readable: boolean }> };
}

export interface Stack {
  vault: VaultEmulator;
  aws: AwsEmulator;
  idp: IdentityProvider;
  oidc: JwtBackend;
  jwt: JwtBackend;
  awsEngine: AwsBackend;
  info: StackInfo;
  stop(): Promise<void>;
}

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const aws = await AwsEmulator.start({
    clock: options.clock,
    minDurationSeconds: options.minStsDurationSeconds ?? options.shortCredsSeconds,
    port: options.ports?.sts,
  });
  const idp = await IdentityProvider.start({
    ...options.idp,
    users: options.users,
    port: options.ports?.idp,
  });
  const vault = await VaultEmulator.start({
    version: options.version,
    clock: options.clock,
    port: options.ports?.vault,
  });
  try {
    aws.addRole(DEV_ROLE_ARN, { maxSessionDurationSeconds: 43_200 });
    aws.addRole(PROD_ROLE_ARN);
    // Vault's own IAM user: the keys written to aws/config/root.
    const engineKeys = aws.createUser('vault-aws-engine');

    const awsEngine = new AwsBackend(vault);
    vault.mount('aws', awsEngine, { description: 'AWS credentials for developers' });
    awsEngine.configureRoot({
      access_key: engineKeys.accessKeyId,
      secret_key: engineKeys.secretAccessKey,
      region: STACK_REGION,
      sts_endpoint: aws.url,
      sts_region: STACK_REGION,
      iam_endpoint: aws.url,
    });
    check(
      awsEngine.writeRole('dev-readonly', {
        credential_type: 'assumed_role',
        role_arns: [DEV_ROLE_ARN],
        default_sts_ttl: '1h',
        max_sts_ttl: '12h',
      }),
    );
    check(
      awsEngine.writeRole('prod-admin', {
        credential_type: 'assumed_role',
        role_arns: [PROD_ROLE_ARN],
      }),
    );
    const roles: StackInfo['aws']['roles'] = {
      'dev-readonly': { roleArn: DEV_ROLE_ARN, readable: true },
      'prod-admin': { roleArn: PROD_ROLE_ARN, readable: false },
    };
    let policy = DEV_POLICY;
    if (options.shortCredsSeconds !== undefined) {
      check(
        awsEngine.writeRole('dev-short', {
          credential_type: 'assumed_role',
          role_arns: [DEV_ROLE_ARN],
          default_sts_ttl: `${options.shortCredsSeconds}s`,
        }),
      );
      policy += 'path "aws/creds/dev-short" {\n  capabilities = ["read"]\n}\n';
      roles['dev-short'] = { roleArn: DEV_ROLE_ARN, readable: true };
    }
    vault.writePolicy('aws-dev-readonly', policy);

    const oidc = new JwtBackend(vault, 'oidc');
    vault.mount('oidc', oidc, {
      auth: true,
      listingVisibility: 'unauth',
      description: 'company SSO',
    });
    oidc.configure({
      oidc_discovery_url: idp.issuer,
      oidc_client_id: idp.vaultClient.clientId,
      oidc_client_secret: idp.vaultClient.clientSecret,
      default_role: 'dev',
    });
    check(
      oidc.writeRole('dev', {
        role_type: 'oidc',
        allowed_redirect_uris: [OIDC_REDIRECT_URI],
        user_claim: 'email',
        groups_claim: 'groups',
        bound_claims: { groups: ['engineering'] },
        oidc_scopes: ['email', 'groups', 'profile'],
        token_policies: ['aws-dev-readonly'],
        token_ttl: '1h',
        token_max_ttl: '8h',
      }),
    );

    const jwt = new JwtBackend(vault, 'jwt');
    vault.mount('jwt', jwt, { auth: true, description: 'company SSO, app as OIDC client' });
    jwt.configure({
      oidc_discovery_url: idp.issuer,
      bound_issuer: idp.issuer,
      default_role: 'dev',
    });
    check(
      jwt.writeRole('dev', {
        role_type: 'jwt',
        bound_audiences: [idp.appClientId],
        user_claim: 'email',
        groups_claim: 'groups',
        bound_claims: { groups: ['engineering'] },
        token_policies: ['aws-dev-readonly'],
        token_ttl: '1h',
        token_max_ttl: '8h',
      }),
    );

    const info: StackInfo = {
      vault: { addr: vault.url, rootToken: vault.rootToken, version: vault.version },
      sts: { endpoint: aws.url, region: STACK_REGION },
      idp: {
        issuer: idp.issuer,
        appClientId: idp.appClientId,
        users: idp.users.map(({ email, password, groups }) => ({ email, password, groups })),
      },
      oidc: { mount: 'oidc', role: 'dev', redirectUri: OIDC_REDIRECT_URI },
      jwt: { mount: 'jwt', role: 'dev', audience: idp.appClientId },
      aws: {
        mount: 'aws',
        roles,
      },
    };
    return {
      vault,
      aws,
      idp,
      oidc,
      jwt,
      awsEngine,
      info,
      stop: async () => {
        await Promise.all([vault.stop(), aws.stop(), idp.stop()]);
      },
    };
  } catch (error) {
    await Promise.all([vault.stop(), aws.stop(), idp.stop()]);
    throw error;
  }
}

function check(error: string | undefined): void {
  if (error) throw new Error(`stack configuration refused: ${error}`);
}

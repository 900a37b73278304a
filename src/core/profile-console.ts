/**
 * A profile's AWS console, the one way the CLI (`console`) and the app (tray, window) open it
 * (docs/console.md): the engine's credentials for the profile under its hand-out rule (at least
 * 15 minutes left, else read again, since the console session ends with them), exchanged at the
 * federation endpoint of the region's partition, then handed to a browser through a one-shot
 * loopback redirect. The sign-in URL is a bearer credential: nothing here logs it.
 */
import { PRODUCT_NAME } from '../shared/app.js';
import {
  ConsoleSignInError,
  FEDERATION_ENDPOINTS,
  consoleSignInUrl,
  federationUrlFor,
} from './aws/console-sign-in.js';
import type { EngineApi } from './engine/engine-api.js';
import { oneShotRedirect } from './one-shot-redirect.js';
import type { BrowserOpener } from './ports.js';

/** The variable that points the console sign-in at another federation endpoint. */
export const FEDERATION_URL_VARIABLE = 'VAULT_AWS_TRAY_FEDERATION_URL';

export interface ConsoleChoice {
  /** The console's region; the profile's region when absent. */
  region?: string;
  /** A full console URL or a service path (`s3`, `ec2/home`). */
  destination?: string;
}

export interface ConsoleReach {
  env: Record<string, string | undefined>;
  /** The settings' Vault proxy: the federation endpoint is reached the same way. */
  proxy?: string;
}

/** The federation endpoints a console sign-in may go to: the partitions', or the override. */
export function federationEndpoints(env: Record<string, string | undefined>): string[] {
  const override = env[FEDERATION_URL_VARIABLE];
  return override ? [override] : [...FEDERATION_ENDPOINTS];
}

/** The console's sign-in URL for `profile`, good for 15 minutes. */
export async function profileConsoleUrl(
  engine: Pick<EngineApi, 'credentials'>,
  profile: string,
  choice: ConsoleChoice,
  reach: ConsoleReach,
): Promise<string> {
  const { credentials, region: profileRegion } = await engine.credentials(profile);
  if (!credentials.sessionToken)
    throw new ConsoleSignInError(
      `${profile} holds long-lived keys, which the AWS console sign-in does not take`,
    );
  const region = choice.region ?? profileRegion ?? undefined;
  const { proxy, env } = reach;
  return consoleSignInUrl({
    credentials,
    region,
    destination: choice.destination,
    federationUrl: federationUrlFor(region, env[FEDERATION_URL_VARIABLE]),
    env: proxy ? { ...env, HTTPS_PROXY: proxy, HTTP_PROXY: proxy } : env,
    issuer: PRODUCT_NAME,
  });
}

/**
 * Gives `url` to `browser` as a one-shot loopback redirect (one-shot-redirect.ts says why) and
 * waits until the browser has come for it.
 */
export async function openThroughRedirect(
  url: string,
  browser: BrowserOpener,
  options: { timeoutMs?: number } = {},
): Promise<void> {
  const timeoutMs = options.timeoutMs ?? 2 * 60_000;
  const handoff = await oneShotRedirect(url, { timeoutMs });
  try {
    await browser.open(handoff.url);
  } catch (error) {
    handoff.close();
    throw new ConsoleSignInError(`cannot start the browser: ${(error as Error).message}`);
  }
  if (!(await handoff.done))
    throw new ConsoleSignInError(
      `the browser did not come for the console in ${Math.round(timeoutMs / 1000)} s; nothing was opened`,
    );
}

/** A user of the built CLI against the stack, set up as a person would: a token login, profiles. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI_BIN } from '../test/support/daemon-process.js';

const run = promisify(execFile);

/** A token like a user's: the dev policy, one hour. */
async function userToken(addr: string, rootToken: string): Promise<string> {
  const response = await fetch(`${addr}/v1/auth/token/create`, {
    method: 'POST',
    headers: { 'X-Vault-Token': rootToken, 'Content-Type': 'application/json' },
    body: JSON.stringify({ policies: ['aws-dev-readonly'], ttl: '1h' }),
  });
  const body = (await response.json()) as { auth?: { client_token?: string } };
  if (!body.auth?.client_token) throw new Error(`no token: ${JSON.stringify(body)}`);
  return body.auth.client_token;
}

export interface CliUser {
  home: string;
  env: Record<string, string | undefined>;
  cli(args: string[], extra?: Record<string, string>): Promise<{ stdout: string }>;
}

/** Logs in with a fresh user token and adds each profile for role `dev-readonly`. */
export async function cliUser(
  vault: { addr: string; rootToken: string },
  profiles: string[],
  addFlags: string[] = [],
): Promise<CliUser> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'vat-bench-'));
  const env = {
    PATH: process.env.PATH,
    HOME: home,
    VAULT_AWS_TRAY_CONFIG_DIR: path.join(home, 'settings'),
  };
  const cli = (args: string[], extra: Record<string, string> = {}) =>
    run(process.execPath, [CLI_BIN, ...args], { env: { ...env, ...extra } });
  await cli(['login', '--method', 'token', '--addr', vault.addr], {
    VAULT_TOKEN: await userToken(vault.addr, vault.rootToken),
  });
  for (const name of profiles)
    await cli(['profile', 'add', name, '--role', 'dev-readonly', ...addFlags]);
  return { home, env, cli };
}

import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { STACK_REGION, startStack } from '../support/stack.js';
import type { Stack } from '../support/stack.js';
import { cliHarness } from './cli-harness.js';

/** Credentials that live 30 seconds, asked for by a child that runs two minutes. */
const SHORT_SECONDS = 30;
const RUN_SECONDS = 120;

let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ shortCredsSeconds: SHORT_SECONDS });
});
afterAll(async () => {
  await stack.stop();
});

interface Call {
  via: 'sdk' | 'aws';
  at: number;
  arn?: string;
  error?: string;
}

/**
 * The long-running child: every 4 seconds, GetCallerIdentity through one STSClient of the JS SDK
 * (its default chain, which keeps and refreshes what it got) and through a new /usr/bin/aws.
 */
function driver(dir: string): string {
  const script = join(dir, 'driver.cjs');
  const sdk = createRequire(import.meta.url).resolve('@aws-sdk/client-sts');
  writeFileSync(
    script,
    `const { execFile } = require('node:child_process');
const fs = require('node:fs');
const { STSClient, GetCallerIdentityCommand } = require(${JSON.stringify(sdk)});
const [endpoint, out, seconds] = process.argv.slice(2);
const client = new STSClient({ endpoint, maxAttempts: 1 });
const aws = () => new Promise((resolve) => execFile('/usr/bin/aws',
  ['sts', 'get-caller-identity', '--endpoint-url', endpoint, '--query', 'Arn', '--output', 'text'],
  (error, stdout, stderr) => resolve(error ? { via: 'aws', error: stderr.trim() } : { via: 'aws', arn: stdout.trim() })));
const sdk = () => client.send(new GetCallerIdentityCommand({})).then(
  (r) => ({ via: 'sdk', arn: r.Arn }), (e) => ({ via: 'sdk', error: e.name + ': ' + e.message }));
(async () => {
  const calls = [];
  const end = Date.now() + Number(seconds) * 1000;
  while (Date.now() < end) {
    const at = Date.now();
    for (const call of await Promise.all([sdk(), aws()])) calls.push({ ...call, at });
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, 4000 - (Date.now() - at))));
  }
  fs.writeFileSync(out, JSON.stringify({ url: process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI, calls }));
  process.exit(calls.every((c) => c.arn) ? 0 : 1);
})();
`,
  );
  return script;
}

it(`exec --server keeps a ${RUN_SECONDS}-second child on ${SHORT_SECONDS}-second credentials, through the JS SDK and /usr/bin/aws, with a valid [default] of another role in ~/.aws/credentials`, async () => {
  const cli = cliHarness({ clock: systemClock });
  const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
  const login = await cli.run(['login', '--method', 'token', '--addr', stack.vault.url], {
    env: { VAULT_TOKEN: token },
  });
  expect(login.code).toBe(0);
  // Valid keys of another role, where every SDK looks before the container endpoint.
  const prod = (await (
    await fetch(`${stack.vault.url}/v1/aws/creds/prod-admin`, {
      headers: { 'X-Vault-Token': stack.vault.rootToken },
    })
  ).json()) as { data: { access_key: string; secret_key: string; security_token: string } };
  mkdirSync(dirname(cli.credentialsFile), { recursive: true });
  writeFileSync(
    cli.credentialsFile,
    `[default]\naws_access_key_id = ${prod.data.access_key}\naws_secret_access_key = ${prod.data.secret_key}\naws_session_token = ${prod.data.security_token}\n`,
  );
  const add = await cli.run([
    'profile',
    'add',
    'dev',
    '--role',
    'dev-short',
    '--region',
    STACK_REGION,
  ]);
  expect(add.code).toBe(0);
  expect(readFileSync(cli.credentialsFile, 'utf8')).toContain(prod.data.access_key);

  // Every answer of every HTTP server in this process; the credentials server's are picked out
  // by its port once the child has said it.
  const answers: Array<{ port: number; status: number }> = [];
  const record = (message: unknown) => {
    const { server, response } = message as {
      server: Server;
      request: IncomingMessage;
      response: ServerResponse;
    };
    answers.push({ port: (server.address() as AddressInfo).port, status: response.statusCode });
  };
  subscribe('http.server.response.finish', record);
  const dir = mkdtempSync(join(tmpdir(), 'exec-server-soak-'));
  const out = join(dir, 'calls.json');
  const readsBefore = stack.vault.requests.filter((r) => r.path === '/v1/aws/creds/dev-short');
  const stsBefore = stack.aws.requests.length;
  let result;
  try {
    result = await cli.run([
      'exec',
      '--server',
      'dev',
      '--',
      process.execPath,
      '--no-warnings',
      driver(dir),
      stack.aws.url,
      out,
      String(RUN_SECONDS),
    ]);
  } finally {
    unsubscribe('http.server.response.finish', record);
  }
  const { url, calls } = JSON.parse(readFileSync(out, 'utf8')) as { url: string; calls: Call[] };
  const failed = calls.filter((c) => !c.arn);
  expect(failed, JSON.stringify(failed)).toEqual([]);
  expect(result).toEqual({ code: 0, stdout: '', stderr: '' });

  // Every call, both ways, as dev's role: never the [default] profile's ProdAdmin.
  for (const via of ['sdk', 'aws'] as const) {
    const mine = calls.filter((c) => c.via === via);
    expect(mine.length).toBeGreaterThanOrEqual(RUN_SECONDS / 4 - 2);
    for (const call of mine)
      expect(call.arn).toMatch(/^arn:aws:sts::123456789012:assumed-role\/DevReadOnly\//);
  }
  const signedWith = stack.aws.requests
    .slice(stsBefore)
    .filter((r) => r.action === 'GetCallerIdentity')
    .map((r) => r.accessKeyId!);
  expect(signedWith).not.toContain(prod.data.access_key);
  expect(signedWith.every((id) => /^ASIA/.test(id))).toBe(true);
  // The keys turned over all along: about one set per 15 seconds (the engine's margin is half
  // of 30 s), each read from Vault once.
  const keySets = new Set(signedWith).size;
  expect(keySets).toBeGreaterThanOrEqual(RUN_SECONDS / SHORT_SECONDS + 1);
  const reads = stack.vault.requests.filter((r) => r.path === '/v1/aws/creds/dev-short').length;
  expect(reads - readsBefore.length).toBeGreaterThanOrEqual(keySets);
  expect(reads - readsBefore.length).toBeLessThanOrEqual(keySets + 2);

  // The server was asked: at least once by every /usr/bin/aws, and by the SDK as keys ran low.
  const port = Number(new URL(url).port);
  const served = answers.filter((a) => a.port === port);
  expect(served.every((a) => a.status === 200)).toBe(true);
  expect(served.length).toBeGreaterThan(calls.filter((c) => c.via === 'aws').length + keySets);
});

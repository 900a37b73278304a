import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { askEngine, NoEngineError, SocketEngine } from '../../../src/core/engine/engine-client.js';
import {
  EngineError,
  engineSocketPath,
  engineTokenPath,
  MAX_REQUEST_BYTES,
  PROTOCOL_VERSION,
} from '../../../src/core/engine/engine-protocol.js';
import { serveEngine } from '../../../src/core/engine/engine-server.js';
import type { EngineServer } from '../../../src/core/engine/engine-server.js';
import { FakeClock } from '../../support/fake-clock.js';
import { startStack } from '../../support/stack.js';
import type { Stack } from '../../support/stack.js';
import { engineHarness } from './engine-harness.js';
import type { EngineHarness } from './engine-harness.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let stack: Stack;
let clock: FakeClock;
let server: EngineServer | undefined;
const engines: EngineHarness[] = [];

beforeAll(async () => {
  clock = new FakeClock();
  stack = await startStack({ clock });
});
afterAll(async () => {
  await stack.stop();
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  for (const h of engines.splice(0)) await h.engine.stop();
});

/** A real engine (signed out, no profiles) behind a real socket. */
async function start(options: { requestDeadlineMs?: number; token?: string } = {}) {
  const h = await engineHarness(stack, clock, {
    profiles: {},
    token: options.token ?? '',
  });
  engines.push(h);
  await h.engine.start();
  const dir = mkdtempSync(join(tmpdir(), 'engine-socket-'));
  server = await serveEngine({
    configDir: dir,
    platform: 'linux',
    logger: quiet,
    requestDeadlineMs: options.requestDeadlineMs,
    engine: h.engine,
  });
  return { dir, h, token: readFileSync(engineTokenPath(dir), 'utf8').trim() };
}

/** Sends raw bytes and returns the answer line (or '' when the server just hangs up). */
function raw(dir: string, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(engineSocketPath(dir, 'linux'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString()));
    socket.on('error', reject);
    socket.on('close', () => resolve(text.trim()));
    socket.end(bytes);
  });
}

describe('the engine socket', () => {
  it('is a 0600 socket with a 0600 token file, and answers with the engine’s own results', async () => {
    const { dir } = await start();
    expect(statSync(engineSocketPath(dir, 'linux')).mode & 0o777).toBe(0o600);
    expect(statSync(engineTokenPath(dir)).mode & 0o777).toBe(0o600);
    const api = new SocketEngine(dir, 'linux');
    const { status, pid } = await api.status();
    expect(status).toMatchObject({ engine: 'daemon', profiles: [] });
    expect(pid).toBe(process.pid);
    expect(await api.listProfiles()).toEqual([]);
  });

  it('refuses requests without the token, malformed or oversized, before the engine sees them', async () => {
    const { dir, h, token } = await start();
    const refused = async (bytes: string) => JSON.parse(await raw(dir, bytes)) as object;
    const add = (t: string) =>
      `{"v":${PROTOCOL_VERSION},"token":"${t}","op":"addProfiles","args":[[{"name":"x","binding":{"role":"r"}}],{"refresh":false}]}\n`;
    expect(await refused(add(''))).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(await refused(add('0'.repeat(64)))).toMatchObject({ code: 'unauthorized' });
    expect(await refused('{"op":\n')).toMatchObject({ code: 'bad_request' });
    expect(await refused('[1]\n')).toMatchObject({ code: 'bad_request' });
    const request = (op: string, args: string) =>
      `{"v":${PROTOCOL_VERSION},"token":"${token}","op":"${op}","args":${args}}`;
    expect(await refused(`${request('shutdown', '[]')}\n`)).toMatchObject({
      code: 'bad_request',
      message: 'unknown operation "shutdown"',
    });
    expect(await refused(`${request('credentials', '[42]')}\n`)).toMatchObject({
      code: 'bad_request',
      message: expect.stringContaining('credentials: 0:'),
    });
    expect(await refused(request('status', '[]'))).toMatchObject({ code: 'bad_request' });
    expect(
      await refused(`${request('status', `["${'x'.repeat(MAX_REQUEST_BYTES)}"]`)}\n`),
    ).toMatchObject({ code: 'too_large' });
    expect(h.settings.read().profiles).toEqual({});
    // Still serving afterwards.
    expect((await new SocketEngine(dir, 'linux').status()).status.engine).toBe('daemon');
  });

  it('passes the engine’s refusals through in its own words, so every command says the same', async () => {
    const { dir } = await start();
    const api = new SocketEngine(dir, 'linux');
    await expect(api.credentials('nope')).rejects.toMatchObject({
      code: 'not_found',
      message: 'no managed profile named nope',
    });
    // The 128-character rule is the engine's: the socket lets the name through to it.
    await expect(
      api.addProfiles([{ name: 'x'.repeat(200), binding: { role: 'dev' } }], { refresh: false }),
    ).rejects.toMatchObject({
      code: 'bad_request',
      message: 'A profile name is at most 128 characters (this one has 200).',
    });
    await expect(api.refresh()).resolves.toMatchObject({ outcomes: [] });
  });

  it('refuses another protocol version in words that say which side to update', async () => {
    const { dir, token } = await start();
    const answer = async (v: string) =>
      JSON.parse(await raw(dir, `{${v}"token":"${token}","op":"status","args":[]}\n`)) as object;
    expect(await answer('"v":1,')).toEqual({
      v: PROTOCOL_VERSION,
      ok: false,
      code: 'version_mismatch',
      message: `this vault-aws-tray command is older than the running engine (protocol 1, the engine speaks ${PROTOCOL_VERSION}): update the command`,
    });
    // A command from before versions sent no `v` at all: the same answer.
    expect(await answer('')).toMatchObject({ code: 'version_mismatch' });
    expect(await answer(`"v":${PROTOCOL_VERSION + 1},`)).toMatchObject({
      code: 'version_mismatch',
      message: expect.stringMatching(
        /^the running engine is older than this vault-aws-tray command/,
      ),
    });
  });

  it('never takes an answer without a version (an engine from before versions) as its own', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'old-engine-'));
    const old = createServer((socket) =>
      socket.once('data', () => socket.end('{"ok":true,"status":{"engine":"daemon"},"pid":1}\n')),
    );
    await new Promise<void>((resolve) => old.listen(engineSocketPath(dir, 'linux'), resolve));
    writeFileSync(engineTokenPath(dir), 'secret\n');
    try {
      const error = await new SocketEngine(dir, 'linux').status().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(EngineError);
      expect(error).toMatchObject({
        code: 'version_mismatch',
        message: expect.stringMatching(
          /^the running engine is older than this vault-aws-tray command \(protocol 1,/,
        ),
      });
    } finally {
      await new Promise((resolve) => old.close(resolve));
    }
  });

  it('sends progress lines before a long operation’s result', async () => {
    const { dir, h } = await start();
    await h.engine.addProfiles([{ name: 'solo', binding: { role: 'dev-readonly' } }], {
      refresh: true,
    });
    expect(h.file()).toBe('');
    const lines: string[] = [];
    const token = stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 });
    const report = await new SocketEngine(dir, 'linux').signIn(
      { token, vault: h.settings.read().vault! },
      (line) => lines.push(line),
    );
    expect(lines).toEqual(['Writing solo with credentials from Vault']);
    expect(report.session.state).toBe('active');
    expect(report.refresh?.outcomes).toEqual([
      expect.objectContaining({ profile: 'solo', ok: true }),
    ]);
    expect(h.file()).toContain('[solo]');
  });

  it('drops a client that says nothing', async () => {
    const { dir } = await start({ requestDeadlineMs: 200 });
    const socket = connect(engineSocketPath(dir, 'linux'));
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
  });

  it('once closed, the token file is gone and clients learn that no engine runs', async () => {
    const { dir } = await start();
    await server!.close();
    server = undefined;
    expect(() => statSync(engineTokenPath(dir))).toThrow();
    await expect(askEngine(dir, 'linux', 'status', [])).rejects.toBeInstanceOf(NoEngineError);
  });
});

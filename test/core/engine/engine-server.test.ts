import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { askEngine, NoEngineError } from '../../../src/cli/engine-client.js';
import {
  engineSocketPath,
  engineTokenPath,
  MAX_REQUEST_BYTES,
} from '../../../src/core/engine/engine-endpoint.js';
import { serveEngine } from '../../../src/core/engine/engine-server.js';
import type { EngineRequest, EngineServer } from '../../../src/core/engine/engine-server.js';

const quiet = { debug() {}, info() {}, warn() {}, error() {} };
let server: EngineServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** A server whose handler records what reached it. */
async function start(idleMs?: number) {
  const dir = mkdtempSync(join(tmpdir(), 'engine-socket-'));
  const handled: EngineRequest[] = [];
  server = await serveEngine({
    configDir: dir,
    platform: 'linux',
    logger: quiet,
    idleMs,
    handle: async (request) => {
      handled.push(request);
      return { echo: request.op };
    },
  });
  return { dir, handled, token: readFileSync(engineTokenPath(dir), 'utf8').trim() };
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
  it('is a 0600 socket with a 0600 token file, and answers a request that carries the token', async () => {
    const { dir, handled, token } = await start();
    expect(statSync(engineSocketPath(dir, 'linux')).mode & 0o777).toBe(0o600);
    expect(statSync(engineTokenPath(dir)).mode & 0o777).toBe(0o600);
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    const reply = await askEngine<{ echo: string }>(dir, 'linux', { op: 'status' });
    expect(reply).toEqual({ ok: true, echo: 'status' });
    expect(handled).toEqual([{ op: 'status' }]);
  });

  it('refuses requests without the token, malformed, invalid or oversized, before the engine sees them', async () => {
    const { dir, handled, token } = await start();
    const refused = async (bytes: string) => JSON.parse(await raw(dir, bytes)) as object;
    expect(await refused('{"op":"status"}\n')).toMatchObject({ ok: false, code: 'unauthorized' });
    expect(await refused(`{"op":"status","token":"${'0'.repeat(64)}"}\n`)).toMatchObject({
      code: 'unauthorized',
    });
    expect(await refused('{"op":\n')).toMatchObject({ code: 'bad_request' });
    expect(await refused(`{"op":"shutdown","token":"${token}"}\n`)).toMatchObject({
      code: 'bad_request',
    });
    expect(
      await refused(`{"op":"credentials","profile":"${'x'.repeat(200)}","token":"${token}"}\n`),
    ).toMatchObject({ code: 'bad_request', message: expect.stringContaining('profile') });
    expect(await refused(`{"op":"status","token":"${token}"`)).toMatchObject({
      code: 'bad_request',
    });
    expect(
      await refused(
        `{"token":"${token}","op":"status","pad":"${'x'.repeat(MAX_REQUEST_BYTES)}"}\n`,
      ),
    ).toMatchObject({ code: 'too_large' });
    expect(handled).toEqual([]);
    // Still serving afterwards.
    expect(await askEngine(dir, 'linux', { op: 'status' })).toMatchObject({ ok: true });
  });

  it('drops a client that says nothing', async () => {
    const { dir } = await start(200);
    const socket = connect(engineSocketPath(dir, 'linux'));
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
  });

  it('once closed, the token file is gone and clients learn that no engine runs', async () => {
    const { dir } = await start();
    await server!.close();
    server = undefined;
    expect(() => statSync(engineTokenPath(dir))).toThrow();
    await expect(askEngine(dir, 'linux', { op: 'status' })).rejects.toBeInstanceOf(NoEngineError);
  });
});

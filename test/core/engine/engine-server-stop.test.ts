import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../../src/core/clock.js';
import type { EngineApi } from '../../../src/core/engine/engine-api.js';
import { askEngine, SocketEngine } from '../../../src/core/engine/engine-client.js';
import { engineSocketPath, engineTokenPath } from '../../../src/core/engine/engine-protocol.js';
import { serveEngine } from '../../../src/core/engine/engine-server.js';
import type { EngineServer } from '../../../src/core/engine/engine-server.js';
import { acquireEngineLock } from '../../../src/core/engine/engine-lock.js';
import { hostEngine } from '../../../src/core/engine/host-engine.js';
import { StateFile } from '../../../src/core/engine/state-file.js';
import { parseSettings } from '../../../src/shared/settings.js';
import { HELPER_PATH, MemorySecrets, MemorySettings } from './engine-harness.js';
import { quiet, rawClient, waitUntil } from './engine-server-clients.js';
import type { RawClient } from './engine-server-clients.js';

/** Far longer than any bound below: a stop that waited for a client would show. */
const DEADLINE_MS = 60_000;
/** What a stop may take here, however the clients behave (generous: a loaded machine). */
const STOP_BOUND_MS = 10_000;

const clients: RawClient[] = [];
let trickling: NodeJS.Timeout | undefined;
let server: EngineServer | undefined;

afterEach(async () => {
  clearInterval(trickling);
  trickling = undefined;
  for (const c of clients.splice(0)) c.socket.destroy();
  await server?.close();
  server = undefined;
});

/** A client sending one byte every 20 ms, never a whole request. */
async function trickler(path: string): Promise<RawClient> {
  const client = rawClient(path);
  clients.push(client);
  await client.connected;
  trickling ??= setInterval(() => {
    for (const c of clients) c.trickle();
  }, 20);
  return client;
}

describe('stopping the engine socket', () => {
  it('close() destroys a trickling client and one waiting on a long operation, and returns promptly', async () => {
    let started = false;
    const engine = {
      status: () => {
        started = true;
        // An operation that never ends.
        return new Promise(() => undefined);
      },
    } as unknown as EngineApi;
    const dir = mkdtempSync(join(tmpdir(), 'engine-stop-'));
    const path = engineSocketPath(dir, 'linux');
    server = await serveEngine({
      configDir: dir,
      platform: 'linux',
      logger: quiet,
      engine,
      requestDeadlineMs: DEADLINE_MS,
    });
    const waiting = askEngine(dir, 'linux', 'status', []).catch((error: Error) => error);
    await waitUntil(() => started, 'the operation under way');
    const slow = await trickler(path);
    await waitUntil(() => slow.sent >= 3, 'the client trickling');

    const before = Date.now();
    await server.close();
    server = undefined;
    expect(Date.now() - before).toBeLessThan(STOP_BOUND_MS);
    expect(await waiting).toMatchObject({
      message: 'the engine closed the connection without an answer',
    });
    await waitUntil(() => slow.closedAt !== undefined, 'the trickling client closed');
    expect(existsSync(engineTokenPath(dir))).toBe(false);
    expect(existsSync(path)).toBe(false);
  });

  it('once told the engine is stopping, refuses what it reads in words and passes nothing on', async () => {
    let calls = 0;
    const engine = {
      async status() {
        calls++;
        return { status: { engine: 'daemon' }, pid: process.pid };
      },
    } as unknown as EngineApi;
    const dir = mkdtempSync(join(tmpdir(), 'engine-stop-'));
    server = await serveEngine({ configDir: dir, platform: 'linux', logger: quiet, engine });
    expect((await new SocketEngine(dir, 'linux').status()).pid).toBe(process.pid);
    server.refuseRequests();
    await expect(new SocketEngine(dir, 'linux').status()).rejects.toMatchObject({
      code: 'failure',
      message: 'the engine is stopping; run the command again',
    });
    expect(calls).toBe(1);
  });

  it('a hosted engine stops first, then every connection is destroyed, then the lock goes; promptly', async () => {
    const events: string[] = [];
    const home = mkdtempSync(join(tmpdir(), 'engine-host-'));
    const configDir = join(home, 'settings');
    mkdirSync(configDir, { mode: 0o700 });
    const files = { credentialsFile: join(home, 'credentials'), configFile: join(home, 'config') };
    const hosted = await hostEngine({
      engine: {
        kind: 'daemon',
        host: {
          configDir,
          env: {},
          platform: 'linux',
          homedir: home,
          cwd: home,
          clock: systemClock,
          logger: quiet,
          command: HELPER_PATH,
        },
        settings: new MemorySettings(parseSettings({ files }, 'test')),
        secrets: new MemorySecrets(),
        state: new StateFile(configDir),
        watch: false,
      },
      takeLock: async () => {
        const lock = await acquireEngineLock(configDir, 'daemon');
        return {
          ...lock,
          release: async () => {
            await lock.release();
            events.push('lock released');
          },
        };
      },
      socket: { requestDeadlineMs: DEADLINE_MS },
    });
    const lockFile = join(configDir, 'engine.lock');
    const path = hosted.server.path;
    expect(existsSync(lockFile)).toBe(true);
    expect((await new SocketEngine(configDir, 'linux').status()).status.engine).toBe('daemon');

    // What stop() did, in order.
    const stopEngine = hosted.engine.stop.bind(hosted.engine);
    hosted.engine.stop = async () => {
      await stopEngine();
      events.push('engine stopped');
    };
    const closeSocket = hosted.server.close.bind(hosted.server);
    hosted.server.close = async () => {
      events.push(`closing the socket: ${open()} clients open`);
      await closeSocket();
      events.push('socket closed');
    };
    const slow = await trickler(path);
    const idle = rawClient(path);
    clients.push(idle);
    await idle.connected;
    const open = () => [slow, idle].filter((c) => c.closedAt === undefined).length;
    await waitUntil(() => slow.sent >= 3, 'the client trickling');

    const before = Date.now();
    await hosted.stop();
    expect(Date.now() - before).toBeLessThan(STOP_BOUND_MS);
    expect(events).toEqual([
      'engine stopped',
      'closing the socket: 2 clients open',
      'socket closed',
      'lock released',
    ]);
    await waitUntil(() => open() === 0, 'both clients closed');
    expect(existsSync(lockFile)).toBe(false);
    expect(existsSync(path)).toBe(false);
    expect(existsSync(engineTokenPath(configDir))).toBe(false);
  });
});

import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SocketEngine } from '../../../src/core/engine/engine-client.js';
import type { EngineApi } from '../../../src/core/engine/engine-api.js';
import { engineSocketPath } from '../../../src/core/engine/engine-protocol.js';
import { serveEngine } from '../../../src/core/engine/engine-server.js';
import type { EngineServer, EngineServerOptions } from '../../../src/core/engine/engine-server.js';
import { FakeClock } from '../../support/fake-clock.js';
import { startStack } from '../../support/stack.js';
import type { Stack } from '../../support/stack.js';
import { engineHarness } from './engine-harness.js';
import type { EngineHarness } from './engine-harness.js';
import { openClients, quiet, rawClient, waitUntil } from './engine-server-clients.js';
import type { RawClient } from './engine-server-clients.js';

let stack: Stack;
let clock: FakeClock;
let server: EngineServer | undefined;
const engines: EngineHarness[] = [];
const clients: RawClient[] = [];

beforeAll(async () => {
  clock = new FakeClock();
  stack = await startStack({ clock });
});
afterAll(async () => {
  await stack.stop();
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.socket.destroy();
  await server?.close();
  server = undefined;
  for (const h of engines.splice(0)) await h.engine.stop();
});

/** A real engine, signed in, with a profile delivered by credential_process (kept in memory). */
async function signedIn() {
  const h = await engineHarness(stack, clock, {
    profiles: { proc: { role: 'dev-readonly', delivery: 'process' } },
    token: stack.vault.createToken({ policies: ['aws-dev-readonly'], ttlSeconds: 3600 }),
  });
  engines.push(h);
  await h.engine.start();
  await h.engine.settled();
  return h;
}

async function serve(engine: EngineApi, limits: Partial<EngineServerOptions> = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'engine-load-'));
  server = await serveEngine({
    configDir: dir,
    platform: 'linux',
    logger: quiet,
    engine,
    ...limits,
  });
  return { dir, path: engineSocketPath(dir, 'linux') };
}

/** A gate a fake engine's operation waits at (Node 20 has no Promise.withResolvers). */
function opened() {
  let open = () => undefined as void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open: () => open() };
}

const credsReads = () =>
  stack.vault.requests.filter((r) => r.path === '/v1/aws/creds/dev-readonly').length;

describe('the engine socket under load', () => {
  it('answers 500 credential-process clients at once from memory, all with the same keys', async () => {
    const h = await signedIn();
    // The shipped limits (256 connections, 5 s to send a request): a burst above the cap is
    // real clients, not idle ones, and none of them may be closed for room.
    const { dir } = await serve(h.engine);
    const held = (await h.engine.credentials('proc')).credentials;
    expect(held.accessKeyId).toMatch(/^ASIA/);
    const reads = credsReads();
    const answers = await Promise.all(
      Array.from({ length: 500 }, () => new SocketEngine(dir, 'linux').credentials('proc')),
    );
    expect(answers).toHaveLength(500);
    for (const answer of answers) expect(answer.credentials).toEqual(held);
    // From memory: Vault was not asked again.
    expect(credsReads()).toBe(reads);
  });

  it('holds 1,000 idle and trickling connections to the cap, closing the oldest first, and still answers', async () => {
    const h = await signedIn();
    // The deadline is out of the way here (120 s): only the cap closes connections.
    const { dir, path } = await serve(h.engine, {
      maxConnections: 256,
      requestDeadlineMs: 120_000,
    });
    const trickling = setInterval(() => {
      for (const [i, c] of clients.entries()) if (i % 2 === 1) c.trickle();
    }, 50);
    try {
      await openClients(path, 1000, clients);
      const closed = () => clients.flatMap((c, i) => (c.closedAt === undefined ? [] : [i]));
      await waitUntil(() => closed().length >= 744, '744 connections closed');
      // The 744 oldest, idle (even) and trickling (odd) alike: bytes that never end a request
      // do not keep a connection.
      expect(closed().sort((a, b) => a - b)).toEqual(Array.from({ length: 744 }, (_, i) => i));
      expect(
        clients.slice(0, 744).filter((c, i) => i % 2 === 1 && c.sent > 0).length,
      ).toBeGreaterThan(0);

      const answer = await new SocketEngine(dir, 'linux').credentials('proc');
      expect(answer.credentials.accessKeyId).toMatch(/^ASIA/);
      // The request's connection made room by closing the oldest one left.
      await waitUntil(() => closed().length >= 745, 'the 745th connection closed');
      expect(closed().sort((a, b) => a - b)).toEqual(Array.from({ length: 745 }, (_, i) => i));
      expect(clients.every((c) => c.received === '')).toBe(true);
    } finally {
      clearInterval(trickling);
    }
  });

  it('drops clients that trickle a byte every 20 ms at the deadline counted from accept', async () => {
    const h = await signedIn();
    const deadline = 1000;
    const { dir, path } = await serve(h.engine, { requestDeadlineMs: deadline });
    const trickling = setInterval(() => {
      for (const c of clients) c.trickle();
    }, 20);
    try {
      await openClients(path, 200, clients);
      // A real request while they trickle is answered.
      expect((await new SocketEngine(dir, 'linux').credentials('proc')).credentials).toEqual(
        (await h.engine.credentials('proc')).credentials,
      );
      // Generous bound: all gone within the deadline plus 15 s.
      await waitUntil(() => clients.every((c) => c.closedAt !== undefined), 'all dropped', 16_000);
    } finally {
      clearInterval(trickling);
    }
    for (const c of clients) {
      // Never before the deadline (the server's clock starts at accept, after the client began
      // to connect; 5 ms for timer rounding), and still sending when dropped: bytes do not
      // extend it.
      expect(c.closedAt! - c.openedAt).toBeGreaterThanOrEqual(deadline - 5);
      expect(c.sent).toBeGreaterThan(5);
      expect(c.received).toBe('');
    }
  });

  it('with every connection busy with a request in flight, a new one is refused, not a busy one', async () => {
    const gate = opened();
    let started = 0;
    const engine = {
      async status() {
        started++;
        await gate.promise;
        return { status: { engine: 'daemon' }, pid: process.pid };
      },
    } as unknown as EngineApi;
    const { dir, path } = await serve(engine, { maxConnections: 4, requestDeadlineMs: 60_000 });
    const inFlight = Array.from({ length: 4 }, () => new SocketEngine(dir, 'linux').status());
    await waitUntil(() => started === 4, 'four requests in flight');

    // An idle newcomer is the only connection not busy: it is the one closed.
    const idle = rawClient(path);
    clients.push(idle);
    await waitUntil(() => idle.closedAt !== undefined, 'the idle newcomer closed');
    // A request arriving now is refused: closed unread, or, once read, told the engine is busy.
    await expect(new SocketEngine(dir, 'linux').status()).rejects.toThrow(
      /closed the connection without an answer|the engine is busy with too many requests/,
    );
    expect(started).toBe(4);

    gate.open();
    for (const answer of await Promise.all(inFlight)) expect(answer.pid).toBe(process.pid);
  });

  it('at the cap, an idle connection makes room for a real request even while others are busy', async () => {
    const gate = opened();
    let started = 0;
    const engine = {
      async status() {
        started++;
        if (started <= 3) await gate.promise;
        return { status: { engine: 'daemon' }, pid: process.pid };
      },
    } as unknown as EngineApi;
    const { dir, path } = await serve(engine, { maxConnections: 4, requestDeadlineMs: 60_000 });
    const idle = rawClient(path);
    clients.push(idle);
    await idle.connected;
    const inFlight = Array.from({ length: 3 }, () => new SocketEngine(dir, 'linux').status());
    await waitUntil(() => started === 3, 'three requests in flight');
    expect(idle.closedAt).toBeUndefined();

    expect((await new SocketEngine(dir, 'linux').status()).pid).toBe(process.pid);
    await waitUntil(() => idle.closedAt !== undefined, 'the idle connection closed');
    gate.open();
    expect(await Promise.all(inFlight)).toHaveLength(3);
  });
});

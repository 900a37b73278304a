import { Engine } from './engine.js';
import type { EngineOptions } from './engine.js';
import { acquireEngineLock } from './engine-lock.js';
import type { EngineLock } from './engine-lock.js';
import { serveEngine } from './engine-server.js';
import type { EngineServer, EngineServerOptions } from './engine-server.js';

/** The socket could not be served (a path too long, a folder that cannot be written). */
export class EngineServeError extends Error {
  override readonly name = 'EngineServeError';
}

export interface HostedEngine {
  engine: Engine;
  server: EngineServer;
  /**
   * Stops the engine (its writes finish), then closes every open connection and the socket, then
   * gives the lock back; once, and bounded whatever the clients do (docs/engine.md).
   */
  stop(): Promise<void>;
}

export interface HostEngineOptions {
  engine: EngineOptions & { kind: 'daemon' | 'app' };
  /** Takes the engine lock (the app asks the user to take over from a daemon). */
  takeLock?: () => Promise<EngineLock>;
  /** Called with the engine before it starts: listeners see its first state. */
  beforeStart?(engine: Engine): void;
  /** The socket's limits (engine-server-connections.ts has the defaults); tests shorten them. */
  socket?: Pick<EngineServerOptions, 'requestDeadlineMs' | 'maxConnections'>;
}

/**
 * A running engine for a settings folder, as the daemon and the tray app both run it: the lock
 * (one engine per folder), the engine, its socket, and the teardown of all three in that order
 * backwards, also when starting fails half-way.
 */
export async function hostEngine(options: HostEngineOptions): Promise<HostedEngine> {
  const { host } = options.engine;
  const lock = await (
    options.takeLock ?? (() => acquireEngineLock(host.configDir, options.engine.kind))
  )();
  const engine = new Engine(options.engine);
  options.beforeStart?.(engine);
  let server: EngineServer | undefined;
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      try {
        // No new request reaches the engine while it stops: its last writes are the ones in flight.
        server?.refuseRequests();
        await engine.stop();
      } finally {
        try {
          // Open connections are destroyed, not waited for: no client can hold the process.
          await server?.close();
        } finally {
          await lock.release();
        }
      }
    })());
  try {
    await engine.start();
    server = await serveEngine({
      configDir: host.configDir,
      platform: host.platform,
      engine,
      logger: host.logger,
      ...options.socket,
    }).catch((error: Error) => {
      throw new EngineServeError(`cannot serve the engine's socket: ${error.message}`);
    });
  } catch (error) {
    // Timers must not keep the process alive, nor the lock stay taken, after a failed start.
    await stop();
    throw error;
  }
  return { engine, server, stop };
}

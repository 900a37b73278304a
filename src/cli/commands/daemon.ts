import { parseArgs } from 'node:util';
import { Engine, SignInNeededError } from '../../core/engine/engine.js';
import { handleEngineRequest } from '../../core/engine/engine-requests.js';
import { serveEngine } from '../../core/engine/engine-server.js';
import type { EngineServer } from '../../core/engine/engine-server.js';
import { acquireEngineLock, EngineLockedError } from '../../core/engine/engine-lock.js';
import type { EngineLock } from '../../core/engine/engine-lock.js';
import type { Logger } from '../../core/ports.js';
import { redactSecrets } from '../../core/redact.js';
import { PRODUCT_NAME } from '../../shared/app.js';
import type { CliContext } from '../context.js';
import { desktopNotifier } from '../desktop-notifier.js';
import { EXIT, failure } from '../errors.js';

/** One timestamped line per event on stderr, secrets redacted: what `journalctl` or a log file keeps. */
function daemonLogger(ctx: CliContext): Logger {
  const line = (level: string) => (message: string) =>
    ctx.io.stderr(
      `${new Date(ctx.io.clock.now()).toISOString()} ${level} ${redactSecrets(message)}\n`,
    );
  return { debug: () => undefined, info: line('info '), warn: line('warn '), error: line('error') };
}

/**
 * `daemon`: the engine without Electron, until SIGINT or SIGTERM. It never opens a browser: when
 * Vault needs a new sign-in it says so, and picks up the token once `login` has stored one.
 */
export async function daemon(ctx: CliContext, args: string[]): Promise<number> {
  parseArgs({ args, options: {}, strict: true });
  const settings = ctx.settings.read();
  let lock: EngineLock;
  try {
    lock = await acquireEngineLock(ctx.configDir, 'daemon');
  } catch (error) {
    if (error instanceof EngineLockedError) throw failure(`${error.message}; not starting`);
    throw error;
  }
  const logger = daemonLogger(ctx);
  ctx.logger = logger;
  const stopSignal = ctx.io.interruptSignal();
  const engine = new Engine({
    role: 'daemon',
    settings: ctx.settings,
    settingsPath: ctx.settings.path,
    secrets: ctx.tokens,
    secretsPath: ctx.tokens.path,
    state: ctx.state,
    clock: ctx.io.clock,
    logger,
    notifier: desktopNotifier(ctx.io.stderr, ctx.io.env),
    // The settings' Vault, not VAULT_ADDR: the token was stored under the settings' address.
    client: (s, token) =>
      ctx.client(
        ctx.connection({ addr: s.vault?.address, namespace: s.vault?.namespace }, s),
        token,
      ),
    writer: (s) => ctx.writer(s),
    awsPaths: (s) => ctx.awsPaths(s),
    processLine: (profile) => ctx.processLine(profile),
    signIn: () =>
      Promise.reject(new SignInNeededError(`run \`${PRODUCT_NAME} login\` to sign in again`)),
    driftCheck: true,
  });
  let server: EngineServer | undefined;
  try {
    logger.info(
      `${PRODUCT_NAME} daemon ${ctx.io.version} (pid ${process.pid}): keeping ${Object.keys(settings.profiles).length} profile(s) fresh; settings in ${ctx.configDir}`,
    );
    await engine.start();
    server = await serveEngine({
      configDir: ctx.configDir,
      platform: ctx.io.platform,
      handle: (request) => handleEngineRequest(engine, request),
      logger,
    }).catch((error: Error) => {
      throw failure(`cannot answer the CLI: ${error.message}`);
    });
    logger.info(`answering the CLI on ${server.path}`);
    const session = engine.status().session.state;
    if (session === 'signed_out' || session === 'needs_sign_in') {
      logger.warn(
        `not signed in to Vault: run \`${PRODUCT_NAME} login\`; the daemon takes up the new token`,
      );
    }
    if (!stopSignal.aborted) {
      await new Promise((resolve) => stopSignal.addEventListener('abort', resolve, { once: true }));
    }
    logger.info('stopping; the credentials file keeps what was last written');
  } finally {
    // Also when starting failed (a socket that cannot be served): timers must not keep us alive.
    await server?.close();
    await engine.stop();
    await lock.release();
  }
  return EXIT.ok;
}

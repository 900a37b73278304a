import { PRODUCT_NAME } from '../../shared/app.js';
import type { CliContext } from '../context.js';
import { daemonLogger, hostDaemon } from '../engines.js';
import { EXIT } from '../errors.js';

/**
 * `daemon`: the engine without Electron, until SIGINT or SIGTERM. It never opens a browser: when
 * Vault needs a new sign-in it says so, and `login` in a terminal hands it the new token.
 */
export async function daemon(ctx: CliContext): Promise<number> {
  const logger = daemonLogger(ctx);
  ctx.logger = logger;
  const stopSignal = ctx.io.interruptSignal();
  const hosted = await hostDaemon(ctx, logger);
  try {
    logger.info(`answering the CLI on ${hosted.server.path}`);
    const session = (await hosted.engine.status()).status.session.state;
    if (session === 'signed_out' || session === 'needs_sign_in')
      logger.warn(
        `not signed in to Vault: run \`${PRODUCT_NAME} login\`; the daemon takes up the new token`,
      );
    if (!stopSignal.aborted)
      await new Promise((resolve) => stopSignal.addEventListener('abort', resolve, { once: true }));
    logger.info('stopping; the credentials file keeps what was last written');
  } finally {
    await hosted.stop();
  }
  return EXIT.ok;
}

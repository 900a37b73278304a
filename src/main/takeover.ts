import { app, dialog } from 'electron';
import { acquireEngineLock, EngineLockedError } from '../core/engine/engine-lock.js';
import type { EngineLock } from '../core/engine/engine-lock.js';

/** The app quits: the user chose not to take over from the running daemon. */
export class TakeoverRefused extends Error {
  override readonly name = 'TakeoverRefused';
}

/**
 * The engine lock for the app. When the daemon holds it, the user may stop the daemon and take
 * over (one engine per settings folder); refusing quits the app.
 */
export async function takeEngineLock(dir: string): Promise<EngineLock> {
  try {
    return await acquireEngineLock(dir, 'app');
  } catch (error) {
    if (!(error instanceof EngineLockedError)) throw error;
    if (error.elsewhere !== undefined || error.pid <= 0) {
      // Its pid means nothing here (another host or pid namespace): there is nothing to stop.
      await dialog.showMessageBox({
        type: 'error',
        buttons: ['Quit'],
        message: `vault-aws-tray is already running as a ${error.role}${error.elsewhere ? ` ${error.elsewhere}` : ''}.`,
        detail: error.message,
      });
      app.quit();
      throw new TakeoverRefused(error.message);
    }
    const { response } = await dialog.showMessageBox({
      type: 'question',
      buttons: [`Stop the ${error.role} and take over`, 'Quit'],
      defaultId: 0,
      cancelId: 1,
      message: `vault-aws-tray is already running as a ${error.role} (pid ${error.pid}).`,
      detail: `${error.message}. One program keeps the profiles of a settings folder fresh; the app can stop it and take over.`,
    });
    if (response !== 0) {
      app.quit();
      throw new TakeoverRefused('the user chose to keep the running engine');
    }
    process.kill(error.pid, 'SIGTERM');
    for (let waited = 0; waited < 10_000; waited += 200) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      try {
        return await acquireEngineLock(dir, 'app');
      } catch (again) {
        if (!(again instanceof EngineLockedError)) throw again;
      }
    }
    throw error;
  }
}

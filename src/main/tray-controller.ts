import type { AppStatus } from '../shared/app-status.js';
import type { Logger } from '../core/ports.js';
import { ElectronTray } from './adapters/tray.js';
import { buildTrayMenu, nextTrayUpdateAt, startingTrayMenu } from './tray/tray-menu.js';
import type { TrayAction } from './tray/tray-menu.js';

/**
 * The tray: its menu and icon drawn from the engine's state (tray-menu.ts, a pure function),
 * redrawn on every change and when the minute turns, and its clicks sent to `act`.
 */
export class TrayController {
  private readonly tray: ElectronTray;
  private timer?: NodeJS.Timeout;
  private destroyed = false;

  constructor(
    assetsDir: string,
    platform: string,
    /** Undefined while the engine starts: the tray then says so (startingTrayMenu). */
    private readonly state: () => { status: AppStatus; startAtLogin: boolean } | undefined,
    private readonly act: (action: TrayAction) => Promise<void>,
    private readonly logger: Logger,
  ) {
    this.tray = new ElectronTray(assetsDir, platform, (action) => void this.run(action));
  }

  render(): void {
    if (this.destroyed) return;
    const now = Date.now();
    const state = this.state();
    this.tray.render(
      state
        ? buildTrayMenu(state.status, now, { startAtLogin: state.startAtLogin })
        : startingTrayMenu(),
    );
    // Time left is shown to the minute: redraw when the minute turns, not more often.
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.render(), nextTrayUpdateAt(now) - now);
  }

  destroy(): void {
    this.destroyed = true;
    if (this.timer) clearTimeout(this.timer);
    this.tray.destroy();
  }

  /** A menu click or a notice click: failures go to the log (the state shows the rest). */
  async run(action: TrayAction): Promise<void> {
    try {
      await this.act(action);
    } catch (error) {
      this.logger.warn(`${action.kind}: ${(error as Error).message}`);
    }
  }
}

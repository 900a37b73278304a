import type { Notifier } from '../ports.js';
import type { AppStatus } from './app-status.js';
import { localTime, noticesFor } from './notification-policy.js';
import type { TimeFormat } from './notification-policy.js';

/**
 * Tells every change of the engine's state: to its listeners (the tray, the window) and, through
 * the notification policy, to the user. It remembers what it said, so nothing is said twice.
 */
export class StatusTeller {
  private readonly listeners = new Set<(status: AppStatus) => void>();
  private readonly sent = new Map<string, number>();
  private last?: AppStatus;

  constructor(
    private readonly notifier: Notifier | undefined,
    private readonly timeFormat: TimeFormat = localTime,
  ) {}

  onChange(listener: (status: AppStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  tell(status: AppStatus, now: number, notify: boolean): void {
    const before = this.last;
    this.last = status;
    if (notify && this.notifier) {
      for (const notice of noticesFor(before, status, now, this.sent, this.timeFormat)) {
        this.sent.set(notice.key, now);
        this.notifier.notify(notice);
      }
    }
    for (const listener of this.listeners) listener(status);
  }
}

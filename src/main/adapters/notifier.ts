import { randomBytes } from 'node:crypto';
import { Notification } from 'electron';
import type { Notice, Notifier } from '../../core/ports.js';

/** At most this many notifications are held, and as many notices kept clickable. */
const MAX_HELD = 50;

export interface ElectronNotifier extends Notifier {
  /** How many notifications are held (shown, neither closed nor failed). */
  readonly live: number;
}

/**
 * The engine's notices as OS notifications. Each is held until it closes or fails: one that is
 * garbage-collected loses its click handler, and one that failed (an unsigned macOS build) would
 * be held for ever. A Windows toast that times out fires `close` (reason `timedOut`) and moves to
 * the Action Center, where its click reaches no object but Notification.handleActivation
 * (node_modules/electron/electron.d.ts, lines 11248-11274); the activation names the toast by its
 * tag, which is the `id` given here (NotificationConstructorOptions.id, lines 23790-23800).
 * docs/manual-test.md checks it on a real Windows.
 */
export function electronNotifier(
  onClick: (notice: Notice) => void,
  platform: string = process.platform,
): ElectronNotifier {
  const held = new Map<string, Notification>();
  const clickable = new Map<string, Notice>();
  // One click can arrive twice on Windows (the object's event and the activation): acted on once.
  const clicked = (id: string) => {
    const notice = clickable.get(id);
    if (!notice) return;
    clickable.delete(id);
    onClick(notice);
  };
  if (platform === 'win32')
    Notification.handleActivation((details) => {
      const id = new URLSearchParams(details.arguments).get('tag');
      if (id && (details.type === 'click' || details.type === '')) clicked(id);
    });
  return {
    get live() {
      return held.size;
    },
    notify(notice) {
      if (!Notification.isSupported()) return;
      // Hex: a Windows toast tag must be short and alphanumeric.
      const id = randomBytes(8).toString('hex');
      const notification = new Notification({
        id,
        title: notice.title,
        body: notice.body,
        urgency: notice.urgency,
      });
      remember(held, id, notification);
      remember(clickable, id, notice);
      notification.on('click', () => clicked(id));
      notification.on('close', (event) => {
        held.delete(id);
        if (!(platform === 'win32' && event.reason === 'timedOut')) clickable.delete(id);
      });
      notification.on('failed', () => {
        held.delete(id);
        clickable.delete(id);
      });
      notification.show();
    },
  };
}

/** Adds an entry, dropping the oldest past MAX_HELD (a Map keeps insertion order). */
function remember<T>(map: Map<string, T>, id: string, value: T): void {
  map.set(id, value);
  if (map.size > MAX_HELD) map.delete(map.keys().next().value!);
}

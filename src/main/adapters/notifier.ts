import { Notification } from 'electron';
import type { Notice, Notifier } from '../../core/ports.js';

/**
 * The engine's notices as OS notifications. Each is kept until closed: a notification that is
 * garbage-collected loses its click handler.
 */
export function electronNotifier(onClick: (notice: Notice) => void): Notifier {
  const shown = new Set<Notification>();
  return {
    notify(notice) {
      if (!Notification.isSupported()) return;
      const notification = new Notification({
        title: notice.title,
        body: notice.body,
        urgency: notice.urgency,
      });
      shown.add(notification);
      notification.on('click', () => onClick(notice));
      notification.on('close', () => shown.delete(notification));
      notification.show();
    },
  };
}

import { powerMonitor } from 'electron';
import type { PowerEvents } from '../../core/ports.js';

/** powerMonitor's suspend and resume: due refreshes run at once after a sleep. */
export const electronPower: PowerEvents = {
  onSuspend(listener) {
    powerMonitor.on('suspend', listener);
    return () => powerMonitor.off('suspend', listener);
  },
  onResume(listener) {
    powerMonitor.on('resume', listener);
    return () => powerMonitor.off('resume', listener);
  },
};

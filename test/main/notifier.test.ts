/**
 * OS notifications that keep their clicks (notifier.ts), against a fake that closes, times out
 * and fails notifications per OS as Electron 45 does.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Notice } from '../../src/core/ports.js';
import { electronNotifier } from '../../src/main/adapters/notifier.js';
import { fake, resetFakeElectron, setFakePlatform } from '../support/fake-electron.js';

vi.mock('electron', async () => await import('../support/fake-electron.js'));

const expired: Notice = {
  key: 'dev:expired',
  title: 'AWS profile dev has expired',
  body: 'b',
  urgency: 'critical',
};

beforeEach(() => resetFakeElectron());
afterEach(() => resetFakeElectron());

describe('notifications on Windows', () => {
  beforeEach(() => setFakePlatform('win32'));

  it('a toast clicked in the Action Center after it timed out still reaches the app', () => {
    const clicked: string[] = [];
    const notifier = electronNotifier((notice) => clicked.push(notice.key));
    notifier.notify(expired);
    const toast = fake.notifications[0]!;
    toast.timeOut();
    toast.click();
    expect(clicked).toEqual(['dev:expired']);
    expect(notifier.live).toBe(0);
  });

  it('a click on a toast on screen is acted on once, though Windows reports it twice', () => {
    const clicked: string[] = [];
    electronNotifier((notice) => clicked.push(notice.key)).notify(expired);
    fake.notifications[0]!.click();
    expect(clicked).toEqual(['dev:expired']);
  });

  it('a toast the user closed is gone, and so is its notice', () => {
    const notifier = electronNotifier(() => undefined);
    notifier.notify(expired);
    fake.notifications[0]!.dismiss();
    expect(notifier.live).toBe(0);
    expect(() => fake.notifications[0]!.click()).toThrow(/gone/);
  });
});

describe('notifications on macOS', () => {
  beforeEach(() => setFakePlatform('darwin'));

  it('one the OS refused (an unsigned build) is let go', () => {
    const notifier = electronNotifier(() => undefined);
    notifier.notify(expired);
    expect(notifier.live).toBe(1);
    fake.notifications[0]!.fail('Notifications are not allowed for this application');
    expect(notifier.live).toBe(0);
  });

  it('one that timed out waits in the Notification Center, still clickable', () => {
    const clicked: string[] = [];
    const notifier = electronNotifier((notice) => clicked.push(notice.key));
    notifier.notify(expired);
    fake.notifications[0]!.timeOut();
    expect(notifier.live).toBe(1);
    fake.notifications[0]!.click();
    expect(clicked).toEqual(['dev:expired']);
  });
});

describe('notifications on Linux', () => {
  beforeEach(() => setFakePlatform('linux'));

  it('are let go once closed; none are shown where the system has none', () => {
    const notifier = electronNotifier(() => undefined);
    notifier.notify(expired);
    fake.notifications[0]!.timeOut();
    expect(notifier.live).toBe(0);
    fake.notificationsSupported = false;
    notifier.notify(expired);
    expect(fake.notifications).toHaveLength(1);
  });
});

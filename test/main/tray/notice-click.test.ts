import { describe, expect, it } from 'vitest';
import { noticeClickAction } from '../../../src/main/tray/notice-click.js';

describe('noticeClickAction', () => {
  it.each([
    ['session:ending_soon', { kind: 'open-window', screen: 'sign-in' }],
    ['session:needs_sign_in', { kind: 'open-window', screen: 'sign-in' }],
    ['dev:expired', { kind: 'refresh', profile: 'dev' }],
    ['dev:expiring', { kind: 'open-window', screen: 'profiles' }],
    ['dev:error', { kind: 'open-window', screen: 'profiles' }],
    ['dev:console', { kind: 'open-window', screen: 'profiles' }],
    ['dev:fresh', undefined],
  ])('%s', (key, action) => {
    expect(noticeClickAction(key)).toEqual(action);
  });

  it('keeps profile names with dots, dashes and underscores whole', () => {
    expect(noticeClickAction('team-a.prod_ro:expired')).toEqual({
      kind: 'refresh',
      profile: 'team-a.prod_ro',
    });
  });

  it('reads a profile named "session" by its state', () => {
    expect(noticeClickAction('session:expired')).toEqual({ kind: 'refresh', profile: 'session' });
    expect(noticeClickAction('session:error')).toEqual({ kind: 'open-window', screen: 'profiles' });
  });

  it.each(['', 'dev', ':expired', 'dev:', 'dev:unknown', 'a:b:expired', 'session:active'])(
    'does nothing for %j',
    (key) => {
      expect(noticeClickAction(key)).toBeUndefined();
    },
  );
});

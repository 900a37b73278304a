import { describe, expect, it } from 'vitest';
import { TrustedSenders } from '../../src/main/trusted-senders.js';
import { secureWebPreferences } from '../../src/main/web-preferences.js';

describe('window security', () => {
  it('every window is sandboxed, isolated and without Node', () => {
    expect(secureWebPreferences('/app/preload.cjs')).toMatchObject({
      preload: '/app/preload.cjs',
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
  });

  it('IPC is trusted only from a registered window still showing the app page', () => {
    const trusted = new TrustedSenders();
    const page = 'file:///opt/app/out/renderer/index.html';
    const event = (id: number, url: string | null) => ({
      sender: { id } as Electron.WebContents,
      senderFrame: url === null ? null : ({ url } as Electron.WebFrameMain),
    });
    trusted.add(7);
    expect(trusted.isTrusted(event(7, page), page)).toBe(true);
    expect(trusted.isTrusted(event(7, `${page}#/profiles`), page)).toBe(true);
    expect(trusted.isTrusted(event(8, page), page)).toBe(false);
    expect(trusted.isTrusted(event(7, 'https://evil.example/'), page)).toBe(false);
    expect(trusted.isTrusted(event(7, null), page)).toBe(false);
    trusted.remove(7);
    expect(trusted.isTrusted(event(7, page), page)).toBe(false);
  });
});

import type { WebPreferences } from 'electron';

/**
 * The only webPreferences a window of this app gets: sandboxed, isolated, no Node, web security
 * on. Written out even where Electron's defaults agree, so a regression shows in a test.
 */
export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    spellcheck: false,
  };
}

/**
 * `npm run tray-pictures`: draws the tray menu for a few states (scripts/tray-menu-html.ts) and
 * screenshots each in Debian's Chromium into docs/screenshots/tray-<state>.png, with the Linux
 * tray icon of that state. Run it after changing the menu (src/main/tray/tray-menu.ts).
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium } from '../test/support/browser.js';
import { buildTrayMenu } from '../src/main/tray/tray-menu.js';
import { trayIconPath } from '../src/main/tray/tray-icons.js';
import { localTime } from '../src/shared/time-text.js';
import { PICTURE_NOW, PICTURE_ZONE, TRAY_PICTURES, trayMenuHtml } from './tray-menu-html.js';

// The same times on every machine: Node re-reads TZ when it is assigned.
process.env.TZ = PICTURE_ZONE;

const root = fileURLToPath(new URL('..', import.meta.url));
const out = resolve(process.argv[2] ?? join(root, 'docs', 'screenshots'));
mkdirSync(out, { recursive: true });

const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 900, height: 700 } });
  for (const picture of TRAY_PICTURES) {
    const view = buildTrayMenu(picture.status, PICTURE_NOW, { startAtLogin: true });
    const icon = readFileSync(trayIconPath(view.icon, 'linux', join(root, 'assets', 'tray')));
    await page.setContent(
      trayMenuHtml(view, {
        open: picture.open,
        icon: `data:image/png;base64,${icon.toString('base64')}`,
        clock: localTime(PICTURE_NOW, PICTURE_NOW),
      }),
    );
    // An open submenu hangs outside the main menu's box: the picture grows to hold it.
    await page.evaluate(() => {
      const frame = document.getElementById('picture')!;
      const menus = [...document.querySelectorAll<HTMLElement>('.menu:not([hidden])')];
      const right = Math.max(...menus.map((menu) => menu.getBoundingClientRect().right));
      const bottom = Math.max(...menus.map((menu) => menu.getBoundingClientRect().bottom));
      frame.style.width = `${Math.ceil(right) + 16}px`;
      frame.style.height = `${Math.ceil(bottom) + 16}px`;
    });
    const file = join(out, `tray-${picture.name}.png`);
    await page.locator('#picture').screenshot({ path: file });
    process.stdout.write(`wrote ${file}\n`);
  }
} finally {
  await browser.close();
}

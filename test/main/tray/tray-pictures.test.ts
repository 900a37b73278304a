// @vitest-environment happy-dom
import { describe, expect, it } from 'vitest';
import { buildTrayMenu, type TrayMenuItem } from '../../../src/main/tray/tray-menu.js';
import { PICTURE_NOW, TRAY_PICTURES, trayMenuHtml } from '../../../scripts/tray-menu-html.js';

/** Every item of the model, submenus included, with the submenu it sits in. */
function everyItem(items: TrayMenuItem[], parent?: string): Array<[TrayMenuItem, string?]> {
  return items.flatMap((item) => [
    [item, parent] as [TrayMenuItem, string?],
    ...everyItem(item.submenu ?? [], item.id),
  ]);
}

describe('the tray pictures (scripts/tray-menu-html.ts)', () => {
  it('draws the states the README shows, one with submenus per profile', () => {
    expect(TRAY_PICTURES.map((p) => [p.name, p.status.profiles.length])).toEqual([
      ['signed-out', 1],
      ['two-fresh', 2],
      ['expiring', 2],
      ['five-profiles', 5],
    ]);
  });

  it.each(TRAY_PICTURES)(
    '$name: every item of the model, in order, as the model says',
    (picture) => {
      const view = buildTrayMenu(picture.status, PICTURE_NOW, { startAtLogin: true });
      const page = new DOMParser().parseFromString(
        trayMenuHtml(view, { open: picture.open }),
        'text/html',
      );
      const drawn = [...page.querySelectorAll<HTMLElement>('[data-id]')];
      const items = everyItem(view.items);
      expect(drawn.map((el) => el.dataset.id)).toEqual(items.map(([item]) => item.id));
      for (const [item, parent] of items) {
        const el = page.querySelector<HTMLElement>(`[data-id="${item.id}"]`)!;
        if (item.type === 'separator') {
          expect(el.className).toBe('separator');
          continue;
        }
        expect(el.querySelector(':scope > .label')!.textContent).toBe(item.label);
        expect(el.classList.contains('disabled')).toBe(!item.enabled);
        expect(el.querySelector(':scope > .check')!.textContent).toBe(item.checked ? '✓' : '');
        // Top-level items and those of the open submenu show; the rest wait in hidden submenus.
        const shown = parent === undefined || parent === picture.open;
        expect(el.parentElement!.hasAttribute('hidden'), item.id).toBe(!shown);
      }
      if (picture.open) expect(items.some(([item]) => item.id === picture.open)).toBe(true);
    },
  );

  it('escapes what the labels say', () => {
    const html = trayMenuHtml({
      icon: 'error',
      tooltip: 'x',
      statusLine: 'x',
      items: [
        { id: 'status', label: 'dev — error: <b>&"quoted"</b>', enabled: false, type: 'normal' },
      ],
    });
    const page = new DOMParser().parseFromString(html, 'text/html');
    expect(page.querySelector('.label')!.textContent).toBe('dev — error: <b>&"quoted"</b>');
    expect(page.querySelector('b')).toBeNull();
  });
});

import { Menu, nativeImage, Tray } from 'electron';
import type { MenuItemConstructorOptions } from 'electron';
import { trayIconPath } from '../tray/tray-icons.js';
import type { TrayAction, TrayMenuItem, TrayView } from '../tray/tray-menu.js';

function template(
  items: TrayMenuItem[],
  act: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    if (item.type === 'separator') return { type: 'separator' };
    const { action } = item;
    return {
      id: item.id,
      label: item.label,
      enabled: item.enabled,
      type: item.type,
      checked: item.checked,
      click: action ? () => act(action) : undefined,
      submenu: item.submenu ? template(item.submenu, act) : undefined,
    };
  });
}

/**
 * The tray icon and its menu, drawn from a TrayView (a pure function of AppState). The menu is
 * set again on every change: Linux shows a menu's changes only when it is set anew.
 */
export class ElectronTray {
  private readonly tray: Tray;
  private icon?: string;

  constructor(
    private readonly assetsDir: string,
    private readonly platform: string,
    private readonly act: (action: TrayAction) => void,
  ) {
    this.tray = new Tray(
      nativeImage.createFromPath(trayIconPath('signed_out', platform, assetsDir)),
    );
    // Windows opens a tray icon's context menu on a right click only, and users left-click. macOS
    // opens it on any click; on Linux the panel decides what a click does.
    if (platform === 'win32') this.tray.on('click', () => this.tray.popUpContextMenu());
  }

  render(view: TrayView): void {
    const icon = trayIconPath(view.icon, this.platform, this.assetsDir);
    if (icon !== this.icon) {
      this.tray.setImage(nativeImage.createFromPath(icon));
      this.icon = icon;
    }
    this.tray.setToolTip(view.tooltip);
    this.tray.setContextMenu(Menu.buildFromTemplate(template(view.items, this.act)));
  }

  destroy(): void {
    this.tray.destroy();
  }
}

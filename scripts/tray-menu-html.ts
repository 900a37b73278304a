/**
 * The tray menu model (`buildTrayMenu` in src/main/tray/tray-menu.ts) drawn as HTML that looks like
 * a desktop context menu, and the states `npm run tray-pictures` draws. Pure: the pictures come
 * from the same model the Electron adapter turns into a menu, so they cannot drift from it
 * (test/main/tray/tray-pictures.test.ts checks every item is drawn).
 */
import type { AppStatus } from '../src/shared/app-status.js';
import type { TrayMenuItem, TrayView } from '../src/main/tray/tray-menu.js';

/** The clock of every picture: 47 min 40 s before 14:32 (read in UTC: the script sets TZ). */
export const PICTURE_NOW = Date.parse('2026-12-06T13:44:20Z');
export const PICTURE_ZONE = 'UTC';

type Profile = AppStatus['profiles'][number];

const at = (hhmm: string) => `2026-12-06T${hhmm}:00Z`;

function profile(name: string, changes: Partial<Profile> = {}): Profile {
  return {
    name,
    state: 'fresh',
    mount: 'aws',
    role: name,
    endpoint: 'creds',
    delivery: 'file',
    region: 'eu-west-1',
    expiresAt: at('14:32'),
    grantedTtlSeconds: 3600,
    leadSeconds: 1200,
    lastRefreshAt: at('13:32'),
    nextRefreshAt: at('14:12'),
    lastError: null,
    ...changes,
  };
}

function status(profiles: Profile[], signedIn = true): AppStatus {
  return {
    version: 1,
    generatedAt: new Date(PICTURE_NOW).toISOString(),
    engine: 'app',
    session: signedIn
      ? {
          state: 'active',
          address: 'https://vault.example.com:8200',
          namespace: null,
          displayName: 'oidc-alice@example.com',
          user: 'alice@example.com',
          policies: ['default', 'aws-dev'],
          expiresAt: at('21:44'),
        }
      : {
          state: 'signed_out',
          address: null,
          namespace: null,
          displayName: null,
          user: null,
          policies: [],
          expiresAt: null,
        },
    profiles,
  };
}

const sealed = { at: at('13:40'), kind: 'server', message: 'Vault is sealed' };

export interface TrayPicture {
  /** The file is docs/screenshots/tray-<name>.png. */
  name: string;
  status: AppStatus;
  /** The id of the submenu drawn open, as a user hovering it would see it. */
  open?: string;
}

export const TRAY_PICTURES: TrayPicture[] = [
  {
    name: 'signed-out',
    status: status([profile('dev', { state: 'needs_sign_in', nextRefreshAt: null })], false),
  },
  {
    name: 'two-fresh',
    status: status([profile('dev'), profile('prod-readonly', { expiresAt: at('15:10') })]),
    open: 'copy-exports',
  },
  {
    name: 'expiring',
    status: status([
      profile('dev', { state: 'expiring', expiresAt: at('13:52'), lastError: sealed }),
      profile('prod-readonly', { expiresAt: at('15:10') }),
    ]),
  },
  {
    name: 'five-profiles',
    status: status([
      profile('dev'),
      profile('prod-readonly', { expiresAt: at('15:10') }),
      profile('staging', { state: 'refreshing' }),
      profile('audit', { expiresAt: at('16:05') }),
      profile('sandbox', { state: 'expired', expiresAt: at('13:30'), lastError: sealed }),
    ]),
    open: 'profile:dev',
  },
];

const escape = (text: string) =>
  text.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

function itemHtml(item: TrayMenuItem, open: string | undefined): string {
  if (item.type === 'separator') return `<li class="separator" data-id="${escape(item.id)}"></li>`;
  const classes = [
    'item',
    item.enabled ? '' : 'disabled',
    item.type === 'submenu' ? 'has-submenu' : '',
    item.id === open ? 'open' : '',
  ].filter(Boolean);
  const check = item.type === 'checkbox' && item.checked ? '✓' : '';
  const arrow = item.type === 'submenu' ? '<span class="arrow">▸</span>' : '';
  // Every submenu is in the page, so every item of the model is; only the open one shows.
  const submenu =
    item.type === 'submenu'
      ? menuHtml(item.submenu ?? [], open, item.id === open ? '' : ' hidden')
      : '';
  return (
    `<li class="${classes.join(' ')}" data-id="${escape(item.id)}">` +
    `<span class="check">${check}</span><span class="label">${escape(item.label)}</span>` +
    `${arrow}${submenu}</li>`
  );
}

function menuHtml(items: TrayMenuItem[], open: string | undefined, hidden = ''): string {
  return `<ul class="menu"${hidden}>${items.map((item) => itemHtml(item, open)).join('')}</ul>`;
}

const STYLE = `
  * { box-sizing: border-box; }
  body { margin: 0; background: #dfe3e8; font: 13px/1.3 'Cantarell', 'Noto Sans', 'DejaVu Sans', system-ui, sans-serif; }
  #picture { display: inline-block; padding: 0 16px 16px 16px; }
  .panel { display: flex; justify-content: space-between; align-items: center; height: 28px;
    margin: 0 -16px 4px; padding: 0 12px 0 14px; background: #2b2e33; color: #f0f0f0; }
  .panel .tray-icon { padding: 3px; border-radius: 4px; background: #4a4f57; line-height: 0; }
  .menu { list-style: none; margin: 0; padding: 4px 0; width: max-content; min-width: 220px;
    background: #ffffff; color: #1c1f23; border: 1px solid #b9bec5; border-radius: 6px;
    box-shadow: 0 4px 14px rgb(0 0 0 / 22%); }
  .menu[hidden] { display: none; }
  .item { position: relative; display: flex; align-items: center; padding: 4px 14px 4px 0; white-space: nowrap; }
  .item.disabled { color: #8a9097; }
  .item.open { background: #2f6fd1; color: #ffffff; }
  .check { display: inline-block; width: 26px; text-align: center; }
  .label { flex: 1; }
  .arrow { margin-left: 24px; }
  .item > .menu { position: absolute; left: calc(100% - 4px); top: -5px; color: #1c1f23; }
  .separator { height: 1px; margin: 4px 0; background: #dde1e6; }
`;

/**
 * A whole page: a panel with the tray icon and a clock, and the menu below it. `open` names a
 * submenu drawn open beside its item; `icon` is the tray icon as a data: URL.
 */
export function trayMenuHtml(
  view: TrayView,
  options: { open?: string; icon?: string; clock?: string } = {},
): string {
  const icon = options.icon
    ? `<span class="tray-icon"><img src="${options.icon}" width="22" height="22" alt=""></span>`
    : '';
  return (
    `<!doctype html><html><head><meta charset="utf-8"><title>${escape(view.tooltip)}</title>` +
    `<style>${STYLE}</style></head><body>` +
    `<div id="picture"><div class="panel">${icon}<span>${escape(options.clock ?? '')}</span></div>` +
    `${menuHtml(view.items, options.open)}</div></body></html>`
  );
}

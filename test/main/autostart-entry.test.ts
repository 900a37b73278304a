import { describe, expect, it } from 'vitest';
import {
  AUTOSTART_ARG,
  linuxAutostartEntry,
  linuxAutostartFile,
} from '../../src/main/autostart-entry.js';

const execLine = (entry: string) => entry.split('\n').find((l) => l.startsWith('Exec='));

describe('linuxAutostartFile', () => {
  it('defaults to ~/.config/autostart', () => {
    expect(linuxAutostartFile({}, '/home/alice')).toBe(
      '/home/alice/.config/autostart/vault-aws-tray.desktop',
    );
  });

  it('follows XDG_CONFIG_HOME', () => {
    expect(linuxAutostartFile({ XDG_CONFIG_HOME: '/srv/conf' }, '/home/alice')).toBe(
      '/srv/conf/autostart/vault-aws-tray.desktop',
    );
  });

  it('ignores an empty or relative XDG_CONFIG_HOME, as the XDG spec says', () => {
    for (const value of ['', 'conf']) {
      expect(linuxAutostartFile({ XDG_CONFIG_HOME: value }, '/home/alice')).toBe(
        '/home/alice/.config/autostart/vault-aws-tray.desktop',
      );
    }
  });
});

describe('linuxAutostartEntry', () => {
  it('writes a desktop entry that starts the app in the tray', () => {
    expect(linuxAutostartEntry({ execPath: '/opt/vault-aws-tray/vault-aws-tray' })).toBe(
      [
        '[Desktop Entry]',
        'Type=Application',
        'Name=vault-aws-tray',
        'Comment=Keeps AWS profiles fresh from HashiCorp Vault',
        'Exec=/opt/vault-aws-tray/vault-aws-tray --autostart',
        'Terminal=false',
        'X-GNOME-Autostart-enabled=true',
        '',
      ].join('\n'),
    );
    expect(AUTOSTART_ARG).toBe('--autostart');
  });

  it('quotes a path with spaces', () => {
    const entry = linuxAutostartEntry({ execPath: '/home/alice/My Apps/vault-aws-tray' });
    expect(execLine(entry)).toBe('Exec="/home/alice/My Apps/vault-aws-tray" --autostart');
  });

  it('escapes what the Desktop Entry spec reserves: quotes, $, `, \\ and %', () => {
    const entry = linuxAutostartEntry({ execPath: '/opt/a "b" $c `d` \\e 100%/app' });
    // `\` is escaped once for the quoting and once more for the string value: four in the file.
    expect(execLine(entry)).toBe(
      'Exec="/opt/a \\\\"b\\\\" \\\\$c \\\\`d\\\\` \\\\\\\\e 100%%/app" --autostart',
    );
  });

  it('escapes % outside quotes too', () => {
    expect(execLine(linuxAutostartEntry({ execPath: '/opt/100%/app' }))).toBe(
      'Exec=/opt/100%%/app --autostart',
    );
  });

  it('starts the AppImage, not its temporary mount', () => {
    const entry = linuxAutostartEntry({
      execPath: '/tmp/.mount_vaultXYZ/vault-aws-tray',
      appImage: '/home/alice/Applications/vault-aws-tray-0.1.0.AppImage',
    });
    expect(execLine(entry)).toBe(
      'Exec=/home/alice/Applications/vault-aws-tray-0.1.0.AppImage --autostart',
    );
    expect(entry).not.toContain('.mount_');
  });

  it('quotes an AppImage path with spaces', () => {
    const entry = linuxAutostartEntry({
      execPath: '/tmp/.mount_vaultXYZ/vault-aws-tray',
      appImage: '/home/alice/My Apps/vault-aws-tray.AppImage',
    });
    expect(execLine(entry)).toBe('Exec="/home/alice/My Apps/vault-aws-tray.AppImage" --autostart');
  });
});

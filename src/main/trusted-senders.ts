import type { IpcMainInvokeEvent } from 'electron';

/**
 * The webContents of the app's own windows. IPC from anything else (a navigated-away frame, a
 * window nobody registered) is refused, as Electron's security checklist asks (item 17).
 */
export class TrustedSenders {
  private readonly ids = new Set<number>();

  add(webContentsId: number): void {
    this.ids.add(webContentsId);
  }

  remove(webContentsId: number): void {
    this.ids.delete(webContentsId);
  }

  /** Trusted only when the sender is one of ours and its frame still shows the app's page. */
  isTrusted(event: Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>, appUrl: string): boolean {
    if (!this.ids.has(event.sender.id)) return false;
    const frameUrl = event.senderFrame?.url;
    if (!frameUrl) return false;
    try {
      return new URL(frameUrl).href.split('#')[0] === new URL(appUrl).href.split('#')[0];
    } catch {
      return false;
    }
  }
}

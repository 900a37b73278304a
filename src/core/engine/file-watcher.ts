import { dirname, resolve } from 'node:path';
import { watch } from 'chokidar';
import { makePrivateFolder } from '../private-file.js';

/** Quiet time after the last event before reacting; and once more after that, for a missed last event. */
export const DEBOUNCE_MS = 200;

export interface FileWatcher {
  /** Resolves once the watcher sees changes (chokidar's first scan is done). */
  ready: Promise<void>;
  close(): Promise<void>;
}

/**
 * Calls `onChange` with the files that changed, were created or deleted. It watches their folders
 * (a file replaced by rename, deleted or created later is still seen), waits for a burst to end,
 * and calls once more a moment later, because a watcher can miss the last of a quick burst
 * (chokidar sits on Node's fs.watch, which Node calls not 100% consistent across platforms): the
 * handler re-reads the files each time, so an extra call costs nothing.
 */
export function watchFiles(
  paths: string[],
  onChange: (changed: ReadonlySet<string>) => void,
): FileWatcher {
  const files = new Set(paths.map((p) => resolve(p)));
  const folders = [...new Set([...files].map((f) => dirname(f)))];
  for (const folder of folders) makePrivateFolder(folder);
  const watcher = watch(folders, {
    depth: 0,
    ignoreInitial: true,
    ignored: (path: string) => !files.has(resolve(path)) && !folders.includes(resolve(path)),
  });
  let changed = new Set<string>();
  let quiet: NodeJS.Timeout | undefined;
  let again: NodeJS.Timeout | undefined;
  const fire = () => {
    const batch = changed;
    changed = new Set();
    onChange(batch);
    again = setTimeout(() => onChange(batch), DEBOUNCE_MS);
  };
  const seen = (path: string) => {
    if (!files.has(resolve(path))) return;
    changed.add(resolve(path));
    clearTimeout(quiet);
    clearTimeout(again);
    quiet = setTimeout(fire, DEBOUNCE_MS);
  };
  watcher.on('add', seen).on('change', seen).on('unlink', seen);
  const ready = new Promise<void>((resolve) => watcher.once('ready', () => resolve()));
  return {
    ready,
    async close() {
      clearTimeout(quiet);
      clearTimeout(again);
      await watcher.close();
    },
  };
}

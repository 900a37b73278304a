/**
 * The interfaces the outside world must satisfy. Core code talks only to these; Electron, the CLI
 * and tests plug in their own adapters (see docs/architecture.md, "Ports").
 */
import type { Settings } from '../shared/settings.js';

/** An opaque handle returned by {@link Clock.setTimeout}. */
export type TimerHandle = { readonly __timer: unique symbol };

/**
 * Wall-clock time and timers. One fake clock drives the engine and the test emulators together,
 * so every deadline in core code is computed from `now()`, never from `Date.now()`.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch, wall clock. */
  now(): number;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

/**
 * Where the app writes what it does. Adapters redact secrets, but callers never pass them: a
 * field carries a path, a profile name or a kind of error, not a token or a key.
 */
export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * Where secrets live: the Vault token per Vault address and namespace. Electron's safeStorage in
 * the app, a 0600 file in the CLI.
 */
export interface SecretStore {
  get(key: string): Promise<string | undefined>;
  set(key: string, secret: string): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The settings file shared by the app and the CLI (src/shared/settings.ts is its schema). */
export interface SettingsStore {
  read(): Settings;
  /** Applies a change to the current settings and saves the result. */
  update(change: (current: Settings) => Settings): Settings;
}

/** Opens a URL in the user's browser: only ever the URL Vault's auth_url returned, or our docs. */
export interface BrowserOpener {
  open(url: string): Promise<void>;
}

/** A notice for the user: an OS notification in the app, a stderr line (and notify-send) in the CLI. */
export interface Notice {
  /** What it is about, for throttling: `<profile>:<state>` or `session:<state>`. */
  key: string;
  title: string;
  body: string;
  urgency: 'normal' | 'critical';
}

export interface Notifier {
  notify(notice: Notice): void;
}

/** The machine going to sleep and waking up (powerMonitor in the app). */
export interface PowerEvents {
  onSuspend(listener: () => void): () => void;
  onResume(listener: () => void): () => void;
}

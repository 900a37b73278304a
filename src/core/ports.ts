/**
 * The interfaces the outside world must satisfy. Core code talks only to these; Electron, the CLI
 * and tests plug in their own adapters (see ../shared/design.md, "Ports").
 */

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

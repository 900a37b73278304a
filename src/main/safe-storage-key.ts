/**
 * Which kind of key encrypted a safeStorage ciphertext, read from its prefix: Chromium's os_crypt
 * puts the key provider's tag in front of what it encrypts (docs/engine.md, "What protects the
 * app's token"). Pure, so the rule is tested without Electron.
 */

/** `os`: a key the OS keeps for this user; `fixed`: a key compiled into Chromium, known to all. */
export type SafeStorageKey = 'os' | 'fixed' | 'unknown';

/** Linux's tags: v10 the fixed key ("peanuts"), v11 the Secret Service's, v12 the portal's. */
const LINUX_TAGS: Readonly<Record<string, SafeStorageKey>> = { v10: 'fixed', v11: 'os', v12: 'os' };

/** The ciphertext's tag: its first three bytes (`v10`, `v11`, `v12`). */
export function ciphertextTag(ciphertext: Uint8Array): string {
  return Buffer.from(ciphertext.subarray(0, 3)).toString('latin1');
}

/**
 * The key behind `ciphertext` on `platform`. Only Linux has a fixed-key fallback; macOS
 * (Keychain) and Windows (DPAPI) encrypt with the OS's key or not at all.
 */
export function safeStorageKey(platform: string, ciphertext: Uint8Array): SafeStorageKey {
  if (ciphertext.length === 0) return 'unknown';
  if (platform !== 'linux') return 'os';
  return LINUX_TAGS[ciphertextTag(ciphertext)] ?? 'unknown';
}

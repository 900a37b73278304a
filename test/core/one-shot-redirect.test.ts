import { afterEach, describe, expect, it } from 'vitest';
import { oneShotRedirect } from '../../src/core/one-shot-redirect.js';
import type { OneShotRedirect } from '../../src/core/one-shot-redirect.js';

const TARGET = 'https://signin.aws.amazon.com/federation?Action=login&SigninToken=secret';
let open: OneShotRedirect | undefined;
afterEach(() => open?.close());

describe('oneShotRedirect', () => {
  it('redirects once on its random path, then is gone', async () => {
    open = await oneShotRedirect(TARGET);
    const url = new URL(open.url);
    expect(url.hostname).toBe('127.0.0.1');
    expect(url.pathname).toMatch(/^\/[\w-]{32}$/);
    const res = await fetch(open.url, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(TARGET);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    await expect(open.done).resolves.toBe(true);
    await expect(fetch(open.url, { redirect: 'manual' })).rejects.toThrow();
  });

  it('answers 404 on any other path or method, and stays for the real one', async () => {
    open = await oneShotRedirect(TARGET);
    const { origin, pathname } = new URL(open.url);
    for (const probe of [`${origin}/`, `${origin}${pathname}x`, `${origin}${pathname}?a=1`]) {
      const res = await fetch(probe, { redirect: 'manual' });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('secret');
    }
    expect((await fetch(open.url, { method: 'POST', redirect: 'manual' })).status).toBe(404);
    expect((await fetch(open.url, { redirect: 'manual' })).status).toBe(302);
  });

  it('gives up after its wait: done is false and the address is closed', async () => {
    open = await oneShotRedirect(TARGET, { timeoutMs: 50 });
    await expect(open.done).resolves.toBe(false);
    await expect(fetch(open.url, { redirect: 'manual' })).rejects.toThrow();
  });

  it('close() ends it unused', async () => {
    open = await oneShotRedirect(TARGET);
    open.close();
    await expect(open.done).resolves.toBe(false);
    await expect(fetch(open.url, { redirect: 'manual' })).rejects.toThrow();
  });

  it('every redirect gets its own path', async () => {
    const a = await oneShotRedirect(TARGET);
    const b = await oneShotRedirect(TARGET);
    try {
      expect(new URL(a.url).pathname).not.toBe(new URL(b.url).pathname);
    } finally {
      a.close();
      b.close();
    }
  });
});

import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/core/redact.js';

describe('redactSecrets', () => {
  it('removes Vault tokens, JWTs, secret keys and session tokens', () => {
    const secrets = [
      'hvs.CAESIJlWh3xDWHJnTzVqZ1hPbkNHQjU0cmw1bWFYeGpkR0NhLm8xMjM0NQ',
      's.Q2x1c3RlcklEX2hhc2hlZDEy',
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl',
      'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
      'IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDp5L0M7k+g8s9g==',
    ];
    for (const secret of secrets) {
      const line = `refresh failed (Vault said ${secret} at 12:00)`;
      expect(redactSecrets(line)).toBe('refresh failed (Vault said [redacted] at 12:00)');
    }
  });

  it('leaves paths, times, profile names and access key ids alone', () => {
    const line =
      'dev: refreshed; valid until 2026-11-28T23:39:43.406Z, key ASIAVCBFUKDVBU0JFARK, ' +
      'file /home/alice/projects/infrastructure/credentials, role aws/creds/dev-readonly';
    expect(redactSecrets(line)).toBe(line);
  });
});

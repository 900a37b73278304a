// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Connect } from '../../src/renderer/screens/connect.js';
import type { Connection } from '../../src/shared/ipc.js';
import { apiStub } from './api-stub.js';

afterEach(cleanup);

function open(props: { connection?: Connection; vaultAddrFromEnv?: string } = {}) {
  const api = apiStub();
  const onSaved = vi.fn();
  render(<Connect api={api} onSaved={onSaved} onTeamApplied={vi.fn()} {...props} />);
  return { api, onSaved };
}

const type = (label: string | RegExp, value: string) =>
  fireEvent.input(screen.getByLabelText(label), { target: { value } });
const save = () => fireEvent.click(screen.getByRole('button', { name: 'Save and sign in' }));

describe('Connect', () => {
  it('starts from VAULT_ADDR when nothing is saved, with the vault CLI defaults', () => {
    open({ vaultAddrFromEnv: 'https://vault.from-env:8200' });
    expect(screen.getByRole('heading', { level: 1 }).textContent).toBe('Connect to Vault');
    expect(screen.getByLabelText<HTMLInputElement>('Vault address').value).toBe(
      'https://vault.from-env:8200',
    );
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'OIDC' }).checked).toBe(true);
    expect(screen.getByLabelText<HTMLInputElement>('Mount').placeholder).toBe('oidc');
    expect(screen.getByLabelText<HTMLInputElement>('Callback port').placeholder).toBe('8250');
  });

  it('shows the saved connection rather than VAULT_ADDR', () => {
    open({
      vaultAddrFromEnv: 'https://vault.from-env:8200',
      connection: { address: 'https://saved:8200', namespace: 'team', authMethod: 'token' },
    });
    expect(screen.getByLabelText<HTMLInputElement>('Vault address').value).toBe(
      'https://saved:8200',
    );
    expect(screen.getByLabelText<HTMLInputElement>('Namespace').value).toBe('team');
    expect(screen.getByRole<HTMLInputElement>('radio', { name: 'Token' }).checked).toBe(true);
    // A token needs no auth mount, role or browser callback.
    expect(screen.queryByLabelText('Mount')).toBeNull();
    expect(screen.queryByLabelText('Callback port')).toBeNull();
  });

  it('refuses an address that is not an http(s) URL, and says why next to the field', async () => {
    const { api } = open();
    type('Vault address', 'vault.example.com:8200');
    save();
    const field = screen.getByLabelText('Vault address');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(screen.getByText(/as an http:\/\/ or https:\/\/ URL/).id).toBe(
      field.getAttribute('aria-describedby'),
    );
    await vi.waitFor(() => expect(document.activeElement).toBe(field));
    expect(api.saveConnection).not.toHaveBeenCalled();

    type('Vault address', 'ftp://vault.example.com');
    save();
    expect(api.saveConnection).not.toHaveBeenCalled();
  });

  it('saves what was typed, leaving the defaults to main', async () => {
    const { api, onSaved } = open();
    type('Vault address', ' https://vault.example.com:8200 ');
    type('Role', 'dev');
    save();
    const expected = {
      address: 'https://vault.example.com:8200',
      namespace: '',
      authMethod: 'oidc',
      authRole: 'dev',
    };
    await vi.waitFor(() => expect(onSaved).toHaveBeenCalledWith(expected));
    expect(api.saveConnection).toHaveBeenCalledWith(expected);
  });

  it('shows why main refused the connection, as main put it', async () => {
    const { api, onSaved } = open();
    api.saveConnection.mockRejectedValue(
      new Error('Vault at https://vault.example.com:8200 did not answer: connection refused.'),
    );
    type('Vault address', 'https://vault.example.com:8200');
    save();
    expect((await screen.findByRole('alert')).textContent).toBe(
      'Vault at https://vault.example.com:8200 did not answer: connection refused.',
    );
    expect(onSaved).not.toHaveBeenCalled();
  });

  it('JWT asks for the issuer and client ID and uses the jwt mount by default', async () => {
    const { api } = open({ vaultAddrFromEnv: 'https://vault.example.com' });
    fireEvent.click(screen.getByRole('radio', { name: 'JWT' }));
    expect(screen.getByLabelText<HTMLInputElement>('Mount').placeholder).toBe('jwt');
    save();
    expect(screen.getByText('Enter the issuer as an https:// URL.')).toBeTruthy();
    expect(screen.getByText('Enter the client ID the issuer gave the app.')).toBeTruthy();
    expect(api.saveConnection).not.toHaveBeenCalled();

    type('Issuer', 'https://login.example.com');
    type('Client ID', 'vault-aws-tray');
    save();
    await vi.waitFor(() =>
      expect(api.saveConnection).toHaveBeenCalledWith({
        address: 'https://vault.example.com',
        namespace: '',
        authMethod: 'jwt',
        issuer: 'https://login.example.com',
        clientId: 'vault-aws-tray',
      }),
    );
  });

  it('checks the advanced settings and opens them when one is wrong', async () => {
    const { api } = open({ vaultAddrFromEnv: 'https://vault.example.com' });
    const advanced = screen.getByText('Advanced').closest('details')!;
    expect(advanced.open).toBe(false);
    type('Callback port', '70000');
    type('Proxy', 'proxy:3128');
    save();
    await vi.waitFor(() => expect(advanced.open).toBe(true));
    expect(
      screen.getByText('The callback port must be a whole number from 0 to 65535.'),
    ).toBeTruthy();
    expect(screen.getByText('Enter the proxy as an http:// or https:// URL.')).toBeTruthy();

    type('Callback port', '0');
    type('Proxy', 'http://proxy:3128');
    type('CA certificate file', '/etc/ssl/corp.pem');
    save();
    await vi.waitFor(() =>
      expect(api.saveConnection).toHaveBeenCalledWith(
        expect.objectContaining({
          callbackPort: 0,
          proxy: 'http://proxy:3128',
          caFile: '/etc/ssl/corp.pem',
        }),
      ),
    );
  });

  it('labels every input', () => {
    open();
    fireEvent.click(screen.getByRole('radio', { name: 'JWT' }));
    for (const input of document.querySelectorAll('input, select')) {
      expect(input.id && document.querySelector(`label[for="${input.id}"]`)).toBeTruthy();
    }
  });
});

// @vitest-environment happy-dom
import { act, cleanup, fireEvent, render, screen, within } from '@testing-library/preact';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Profiles } from '../../src/renderer/screens/profiles.js';
import type { AppStatus } from '../../src/shared/app-status.js';
import { NOW, apiStub, profile, signedIn } from './api-stub.js';

beforeEach(() => {
  // Only time is faked: promises and the DOM run as usual.
  vi.useFakeTimers({
    toFake: ['Date', 'setInterval', 'clearInterval', 'setTimeout', 'clearTimeout'],
  });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  cleanup();
  vi.useRealTimers();
});

function open(status: AppStatus = signedIn()) {
  const api = apiStub();
  const callbacks = { onChooseRoles: vi.fn(), onSignInAgain: vi.fn(), onSignOut: vi.fn() };
  const view = render(<Profiles api={api} status={status} {...callbacks} />);
  return { api, ...callbacks, ...view };
}

const card = (name: string) =>
  screen.getByRole('heading', { level: 2, name }).closest('li') as HTMLElement;
/** Lets the stub's promises settle and the screen re-render. */
const settle = () => act(async () => {});

describe('Profiles', () => {
  it('invites to choose roles when there is none', () => {
    const { onChooseRoles } = open(signedIn([]));
    expect(screen.getByText(/No profiles yet/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Choose roles' }));
    expect(onChooseRoles).toHaveBeenCalledOnce();
    expect(screen.queryByRole('button', { name: 'Refresh all' })).toBeNull();
  });

  it('says who is signed in to which Vault, until when, and signs out', () => {
    const { onSignOut } = open();
    const session = screen.getByRole('region', { name: 'Vault session' });
    expect(session.textContent?.replace(/\s+/g, ' ')).toContain(
      'Signed in as alice@example.com to https://vault.example.com:8200 (namespace team). Vault token expires in 8 h.',
    );
    fireEvent.click(within(session).getByRole('button', { name: 'Sign out' }));
    expect(onSignOut).toHaveBeenCalledOnce();
    expect(within(session).queryByRole('button', { name: 'Sign in again' })).toBeNull();
  });

  it('asks to sign in again when the session cannot be extended', () => {
    const status = signedIn();
    status.session.state = 'ending_soon';
    const { onSignInAgain } = open(status);
    expect(screen.getByText(/cannot be extended any further/)).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Sign in again' }));
    expect(onSignInAgain).toHaveBeenCalledOnce();
  });

  it('shows each profile state in words, with a live countdown to expiry', () => {
    const expiresAt = new Date(NOW + (47 * 60 + 12) * 1000).toISOString();
    const { unmount } = open(
      signedIn([
        profile({ expiresAt }),
        profile({
          name: 'ops',
          state: 'expired',
          expiresAt: new Date(NOW - 3 * 60_000).toISOString(),
          grantedTtlSeconds: 900,
          lastError: {
            at: new Date(NOW - 60_000).toISOString(),
            kind: 'vault',
            message: 'Vault refused: permission denied on aws/creds/ops.',
          },
        }),
        profile({ name: 'new', state: 'refreshing', expiresAt: null, grantedTtlSeconds: null }),
      ]),
    );
    const dev = card('dev');
    expect(within(dev).getByText('Fresh')).toBeTruthy();
    expect(within(dev).getByText('expires in 47 min 12 s')).toBeTruthy();
    expect(within(dev).getByText('1 h')).toBeTruthy();

    act(() => {
      vi.advanceTimersByTime(1000);
    });
    expect(within(dev).getByText('expires in 47 min 11 s')).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(60_000);
    });
    expect(within(dev).getByText('expires in 46 min 11 s')).toBeTruthy();

    const ops = card('ops');
    expect(within(ops).getByText('Expired')).toBeTruthy();
    expect(within(ops).getByText(/^expired 4 min 1 s ago$/)).toBeTruthy();
    expect(within(ops).getByText('15 min')).toBeTruthy();
    expect(
      within(ops).getByText(/^Vault refused: permission denied on aws\/creds\/ops\./),
    ).toBeTruthy();

    expect(within(card('new')).getByText('Refreshing')).toBeTruthy();
    expect(within(card('new')).getByText('no credentials yet')).toBeTruthy();

    // The countdown's timer goes with the screen (Preact's own short timeouts run out first).
    unmount();
    act(() => {
      vi.advanceTimersByTime(1000);
    });
    expect(vi.getTimerCount()).toBe(0);
  });

  it('refreshes one profile or all, and says how it went', async () => {
    const { api } = open(signedIn([profile(), profile({ name: 'ops' })]));
    fireEvent.click(within(card('dev')).getByRole('button', { name: 'Refresh dev' }));
    expect(api.refresh).toHaveBeenCalledWith({ profiles: ['dev'] });
    await settle();
    expect(screen.getByRole('status').textContent).toBe('Refreshed dev.');

    api.refresh.mockResolvedValueOnce({
      profiles: [
        { profile: 'dev', ok: true },
        { profile: 'ops', ok: false, message: 'Vault refused: permission denied.' },
      ],
      signInNeeded: false,
    });
    fireEvent.click(screen.getByRole('button', { name: 'Refresh all' }));
    expect(api.refresh).toHaveBeenLastCalledWith({ profiles: undefined });
    await settle();
    expect(screen.getByRole('status').textContent).toBe('ops: Vault refused: permission denied.');
  });

  it('copies the export commands and says so for a moment', async () => {
    const { api } = open();
    fireEvent.click(screen.getByRole('button', { name: 'Copy export commands for dev' }));
    expect(api.copyExports).toHaveBeenCalledWith({ profile: 'dev' });
    await settle();
    expect(screen.getByRole('button', { name: 'Copied for dev' })).toBeTruthy();
    act(() => {
      vi.advanceTimersByTime(2000);
    });
    expect(screen.getByRole('button', { name: 'Copy export commands for dev' })).toBeTruthy();
  });

  it('opens the console for a profile, waiting on the browser, and says why it could not', async () => {
    const { api } = open();
    let answer: (value: undefined) => void = () => undefined;
    api.openConsole.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve)));
    fireEvent.click(screen.getByRole('button', { name: 'Open console for dev' }));
    expect(api.openConsole).toHaveBeenCalledWith({ profile: 'dev' });
    const waiting = screen.getByRole('button', { name: 'Opening console… for dev' });
    expect((waiting as HTMLButtonElement).disabled).toBe(true);
    answer(undefined);
    await settle();
    expect(screen.getByRole('button', { name: 'Open console for dev' })).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();

    api.openConsole.mockRejectedValueOnce(
      new Error('the AWS sign-in endpoint signin.aws.amazon.com refused the console sign-in'),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Open console for dev' }));
    await settle();
    expect(screen.getByRole('alert').textContent).toContain('refused the console sign-in');
    expect(
      (screen.getByRole('button', { name: 'Open console for dev' }) as HTMLButtonElement).disabled,
    ).toBe(false);
  });

  it('asks before removing a profile, and whether to delete its sections too', async () => {
    const { api } = open();
    fireEvent.click(screen.getByRole('button', { name: 'Remove dev' }));
    const dialog = screen.getByRole('dialog', { name: 'Remove the profile dev?' });
    expect((dialog as HTMLDialogElement).open).toBe(true);
    fireEvent.click(within(dialog).getByRole('button', { name: 'Keep it' }));
    await settle();
    expect(screen.queryByRole('dialog')).toBeNull();
    expect(api.removeProfile).not.toHaveBeenCalled();

    fireEvent.click(screen.getByRole('button', { name: 'Remove dev' }));
    const again = screen.getByRole('dialog');
    const sections = within(again).getByRole<HTMLInputElement>('checkbox', {
      name: 'Also delete its sections from the AWS credentials and config files',
    });
    expect(sections.checked).toBe(false);
    fireEvent.click(sections);
    fireEvent.click(within(again).getByRole('button', { name: 'Remove' }));
    expect(api.removeProfile).toHaveBeenCalledWith({ name: 'dev', deleteSections: true });
    await settle();
    expect(screen.queryByRole('dialog')).toBeNull();
  });

  it('keeps the sections unless asked, and shows a refusal inside the dialog', async () => {
    const { api } = open();
    api.removeProfile.mockRejectedValueOnce(
      new Error('The credentials file is locked by another program.'),
    );
    fireEvent.click(screen.getByRole('button', { name: 'Remove dev' }));
    fireEvent.click(within(screen.getByRole('dialog')).getByRole('button', { name: 'Remove' }));
    expect(api.removeProfile).toHaveBeenCalledWith({ name: 'dev', deleteSections: false });
    await settle();
    expect(within(screen.getByRole('dialog')).getByRole('alert').textContent).toBe(
      'The credentials file is locked by another program.',
    );
  });

  it('says times in the local zone, 24-hour, with the date when not today', () => {
    const machineZone = process.env.TZ;
    // Node re-reads TZ when it is assigned; NOW is 12:00 UTC, 14:00 in Berlin in May.
    process.env.TZ = 'Europe/Berlin';
    try {
      const failed = {
        at: new Date(NOW - 24 * 3600_000).toISOString(),
        kind: 'server',
        message: 'Vault is sealed',
      };
      open(signedIn([profile({ lastError: failed })]));
      const facts = card('dev').querySelector('dl')!;
      const fact = (term: string) =>
        [...facts.querySelectorAll('dt')].find((dt) => dt.textContent === term)!.nextElementSibling!
          .textContent;
      expect(fact('Last refresh')).toBe('14:00');
      expect(fact('Next refresh')).toBe('14:40');
      expect(fact('Last error')).toBe('Vault is sealed (2030-05-05 14:00)');
    } finally {
      if (machineZone === undefined) delete process.env.TZ;
      else process.env.TZ = machineZone;
    }
  });
});

// @vitest-environment happy-dom
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TeamFile } from '../../src/renderer/screens/team-file.js';
import type { TeamFilePreview } from '../../src/shared/ipc.js';
import { apiStub } from './api-stub.js';

afterEach(cleanup);

const PREVIEW: TeamFilePreview = {
  source: '/home/alice/team.json',
  lines: ['Vault:', '  address: https://vault.example.com', 'Add profile dev: aws/creds/dev'],
  problems: [],
  changesExisting: false,
};

function open(preview: TeamFilePreview | null) {
  const api = apiStub();
  api.chooseTeamFile.mockResolvedValue(preview);
  const onApplied = vi.fn();
  render(<TeamFile api={api} onApplied={onApplied} />);
  return { api, onApplied };
}

const click = (name: string | RegExp) => fireEvent.click(screen.getByRole('button', { name }));

describe('Use team settings…', () => {
  it('shows what the chosen file changes, and applies it with one more click', async () => {
    const { api, onApplied } = open(PREVIEW);
    const connection = {
      address: 'https://vault.example.com',
      namespace: '',
      authMethod: 'oidc' as const,
    };
    api.applyTeamFile.mockResolvedValue({ connection });
    click('Use team settings…');
    await screen.findByRole('heading', { name: 'Team settings' });
    expect(screen.getByText('/home/alice/team.json')).toBeTruthy();
    expect(screen.getAllByRole('listitem').map((li) => li.textContent)).toEqual(
      PREVIEW.lines.map((line) => line.trim()),
    );
    // Nothing the user has changes: no warning.
    expect(screen.queryByText(/changes settings or profiles you have/)).toBeNull();
    click('Apply and sign in');
    await waitFor(() => expect(onApplied).toHaveBeenCalledWith(connection));
    expect(api.applyTeamFile).toHaveBeenCalledOnce();
  });

  it('says when the file changes what exists', async () => {
    open({ ...PREVIEW, changesExisting: true });
    click('Use team settings…');
    await screen.findByText('This changes settings or profiles you have.');
  });

  it('a refused file says why and offers another file instead of Apply', async () => {
    const { api } = open({ ...PREVIEW, problems: ['profile dev is already in the AWS files'] });
    click('Use team settings…');
    await screen.findByRole('alert');
    expect(screen.getByRole('alert').textContent).toMatch(
      /profile dev is already in the AWS files/,
    );
    expect(screen.queryByRole('button', { name: 'Apply and sign in' })).toBeNull();
    click('Choose another file…');
    await waitFor(() => expect(api.chooseTeamFile).toHaveBeenCalledTimes(2));
  });

  it('a cancelled picker changes nothing; a file main cannot read is said in words', async () => {
    const { api } = open(null);
    click('Use team settings…');
    await waitFor(() => expect(api.chooseTeamFile).toHaveBeenCalledOnce());
    expect(screen.queryByRole('heading')).toBeNull();
    api.chooseTeamFile.mockRejectedValueOnce(
      new Error('/home/alice/team.json: vault.address: Invalid URL'),
    );
    click('Use team settings…');
    expect((await screen.findByRole('alert')).textContent).toMatch(/vault\.address: Invalid URL/);
    expect(api.applyTeamFile).not.toHaveBeenCalled();
  });

  it('a file of profiles only says what to do next', async () => {
    const { api, onApplied } = open(PREVIEW);
    api.applyTeamFile.mockResolvedValue({});
    click('Use team settings…');
    await screen.findByRole('button', { name: 'Apply and sign in' });
    click('Apply and sign in');
    await screen.findByText(/The profiles are saved/);
    expect(onApplied).toHaveBeenCalledWith(undefined);
  });
});

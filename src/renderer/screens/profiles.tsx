import { useEffect, useRef, useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import type { AppStatus } from '../../shared/app-status.js';
import type { Api, RefreshSummary } from '../../shared/ipc.js';
import { Alert, Checkbox } from '../fields.js';
import {
  PROFILE_STATE_WORDS,
  describeExpiry,
  formatDuration,
  formatWhen,
  messageOf,
} from '../format.js';
import { useNow } from '../use-now.js';

type ProfileStatus = AppStatus['profiles'][number];

/** How long "Copied" stays on the button. */
const COPIED_MS = 2000;

/** One sentence about a refresh: what failed, or that all went well. */
function describeRefresh(summary: RefreshSummary): string {
  const failed = summary.profiles.filter((result) => !result.ok);
  const parts = failed.map((result) => `${result.profile}: ${result.message ?? 'failed'}`);
  if (summary.signInNeeded) parts.push('Sign in to Vault again to refresh.');
  if (parts.length > 0) return parts.join(' ');
  const count = summary.profiles.length;
  return count === 1
    ? `Refreshed ${summary.profiles[0]?.profile}.`
    : `Refreshed ${count} profiles.`;
}

function RemoveDialog(props: { api: Api; name: string; onClosed(): void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const [deleteSections, setDeleteSections] = useState(false);
  const [removing, setRemoving] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  // Modal: focus stays inside and Escape closes it (the browser's `cancel`, then `close`).
  useEffect(() => dialog.current?.showModal(), []);

  async function remove(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setRemoving(true);
    setRefusal(undefined);
    try {
      await props.api.removeProfile({ name: props.name, deleteSections });
      dialog.current?.close();
    } catch (error) {
      setRefusal(messageOf(error));
    } finally {
      setRemoving(false);
    }
  }

  return (
    <dialog ref={dialog} aria-labelledby="remove-heading" onClose={props.onClosed}>
      <form onSubmit={remove}>
        <h2 id="remove-heading">Remove the profile {props.name}?</h2>
        <p>The app stops refreshing it.</p>
        <Checkbox
          id="delete-sections"
          label="Also delete its sections from the AWS credentials and config files"
          checked={deleteSections}
          onChecked={setDeleteSections}
          hint="Otherwise they stay as they are, with the last credentials."
        />
        <Alert message={refusal} />
        <div class="actions">
          <button type="submit" class="danger" disabled={removing}>
            Remove
          </button>
          <button type="button" onClick={() => dialog.current?.close()}>
            Keep it
          </button>
        </div>
      </form>
    </dialog>
  );
}

function ProfileCard(props: {
  profile: ProfileStatus;
  now: number;
  busy: boolean;
  copied: boolean;
  opening: boolean;
  onRefresh(): void;
  onCopy(): void;
  onConsole(): void;
  onRemove(): void;
}) {
  const { profile, now } = props;
  return (
    <li class="card">
      <h2 class="mono">{profile.name}</h2>
      <p class="state-line">
        <span class={`state state-${profile.state}`}>{PROFILE_STATE_WORDS[profile.state]}</span>
        <span>
          {profile.expiresAt ? describeExpiry(profile.expiresAt, now) : 'no credentials yet'}
        </span>
      </p>
      <dl class="facts">
        <dt>Vault role</dt>
        <dd class="mono">
          {profile.mount}/{profile.endpoint}/{profile.role}
        </dd>
        <dt>Delivery</dt>
        <dd>{profile.delivery === 'file' ? 'Credentials file' : 'credential_process'}</dd>
        {profile.region && (
          <>
            <dt>Region</dt>
            <dd class="mono">{profile.region}</dd>
          </>
        )}
        <dt>Granted lifetime</dt>
        <dd>
          {profile.grantedTtlSeconds === null
            ? 'not yet'
            : formatDuration(profile.grantedTtlSeconds * 1000)}
        </dd>
        <dt>Last refresh</dt>
        <dd>{profile.lastRefreshAt ? formatWhen(profile.lastRefreshAt, now) : 'never'}</dd>
        {profile.nextRefreshAt && (
          <>
            <dt>Next refresh</dt>
            <dd>{formatWhen(profile.nextRefreshAt, now)}</dd>
          </>
        )}
        {profile.lastError && (
          <>
            <dt>Last error</dt>
            <dd class="error-text">
              {profile.lastError.message} ({formatWhen(profile.lastError.at, now)})
            </dd>
          </>
        )}
      </dl>
      <div class="actions">
        <button type="button" onClick={props.onRefresh} disabled={props.busy}>
          Refresh <span class="visually-hidden">{profile.name}</span>
        </button>
        <button type="button" onClick={props.onCopy}>
          {props.copied ? 'Copied' : 'Copy export commands'}{' '}
          <span class="visually-hidden">for {profile.name}</span>
        </button>
        <button type="button" onClick={props.onConsole} disabled={props.opening}>
          {props.opening ? 'Opening console…' : 'Open console'}{' '}
          <span class="visually-hidden">for {profile.name}</span>
        </button>
        <button type="button" class="danger-quiet" onClick={props.onRemove}>
          Remove <span class="visually-hidden">{profile.name}</span>
        </button>
      </div>
    </li>
  );
}

export function Profiles(props: {
  api: Api;
  status: AppStatus;
  onChooseRoles(): void;
  onSignInAgain(): void;
  onSignOut(): void;
}) {
  const { api, status } = props;
  const { session } = status;
  const now = useNow();
  const [busy, setBusy] = useState<string[]>([]);
  const [notice, setNotice] = useState('');
  const [refusal, setRefusal] = useState<string>();
  const [copied, setCopied] = useState<string>();
  const [opening, setOpening] = useState<string[]>([]);
  const [removing, setRemoving] = useState<string>();

  useEffect(() => {
    if (copied === undefined) return;
    const timer = setTimeout(() => setCopied(undefined), COPIED_MS);
    return () => clearTimeout(timer);
  }, [copied]);

  async function refresh(names?: string[]) {
    const targets = names ?? status.profiles.map((profile) => profile.name);
    setBusy((list) => [...list, ...targets]);
    setNotice('');
    setRefusal(undefined);
    try {
      setNotice(describeRefresh(await api.refresh({ profiles: names })));
    } catch (error) {
      setRefusal(messageOf(error));
    } finally {
      setBusy((list) => list.filter((name) => !targets.includes(name)));
    }
  }

  function copy(name: string) {
    setRefusal(undefined);
    api.copyExports({ profile: name }).then(
      () => setCopied(name),
      (error: unknown) => setRefusal(messageOf(error)),
    );
  }

  // The browser may take a while to come for the sign-in: the button waits for it.
  async function openConsole(name: string) {
    setRefusal(undefined);
    setOpening((list) => [...list, name]);
    try {
      await api.openConsole({ profile: name });
    } catch (error) {
      setRefusal(messageOf(error));
    } finally {
      setOpening((list) => list.filter((other) => other !== name));
    }
  }

  return (
    <>
      <h1 tabIndex={-1}>Profiles</h1>
      <section class="session" aria-label="Vault session">
        <p>
          Signed in as{' '}
          <strong>{session.user ?? session.displayName ?? 'an unnamed identity'}</strong> to{' '}
          <span class="mono">{session.address}</span>
          {session.namespace && (
            <>
              {' '}
              (namespace <span class="mono">{session.namespace}</span>)
            </>
          )}
          . Vault token{' '}
          {session.expiresAt ? describeExpiry(session.expiresAt, now) : 'does not expire'}.
        </p>
        {session.state === 'ending_soon' && (
          <p class="warning">
            Your Vault session cannot be extended any further. Sign in again to keep the profiles
            fresh.
          </p>
        )}
        <div class="actions">
          {session.state === 'ending_soon' && (
            <button type="button" class="primary" onClick={props.onSignInAgain}>
              Sign in again
            </button>
          )}
          <button type="button" onClick={props.onSignOut}>
            Sign out
          </button>
        </div>
      </section>
      {status.profiles.length === 0 ? (
        <section class="empty">
          <p>No profiles yet. Pick the Vault roles to turn into AWS profiles.</p>
          <div class="actions">
            <button type="button" class="primary" onClick={props.onChooseRoles}>
              Choose roles
            </button>
          </div>
        </section>
      ) : (
        <>
          <div class="actions">
            <button
              type="button"
              class="primary"
              onClick={() => refresh()}
              disabled={busy.length > 0}
            >
              Refresh all
            </button>
          </div>
          <p role="status" class="notice">
            {notice}
          </p>
          <Alert message={refusal} />
          <ul class="plain profiles">
            {status.profiles.map((profile) => (
              <ProfileCard
                key={profile.name}
                profile={profile}
                now={now}
                busy={busy.includes(profile.name)}
                copied={copied === profile.name}
                opening={opening.includes(profile.name)}
                onRefresh={() => refresh([profile.name])}
                onCopy={() => copy(profile.name)}
                onConsole={() => void openConsole(profile.name)}
                onRemove={() => setRemoving(profile.name)}
              />
            ))}
          </ul>
        </>
      )}
      {removing !== undefined && (
        <RemoveDialog api={api} name={removing} onClosed={() => setRemoving(undefined)} />
      )}
    </>
  );
}

import { useEffect, useRef, useState } from 'preact/hooks';
import type { AppStatus } from '../shared/app-status.js';
import type { Api, AppInfo, Connection, Setup, SignInEvent } from '../shared/ipc.js';
import { Alert } from './fields.js';
import { messageOf } from './format.js';
import { ChooseRoles } from './screens/choose-roles.js';
import { Connect } from './screens/connect.js';
import { Profiles } from './screens/profiles.js';
import { Settings } from './screens/settings.js';
import { SignIn, type SignInFlow } from './screens/sign-in.js';

/** Where the user asked to go; the session may still send them to Connect or Sign in first. */
type View = 'connect' | 'profiles' | 'roles' | 'settings';
type Screen = View | 'sign-in';

const VIEW_NAMES: Record<View, string> = {
  connect: 'Connect',
  profiles: 'Profiles',
  roles: 'Choose roles',
  settings: 'Settings',
};

function flowAfter(event: SignInEvent): SignInFlow {
  switch (event.kind) {
    case 'waiting-for-browser':
      return { step: 'waiting', url: event.url };
    case 'mfa-required':
      return { step: 'mfa' };
    case 'finished':
      return { step: 'idle' };
    case 'failed':
      return { step: 'failed', message: event.message };
  }
}

export function App({ api }: { api: Api }) {
  const [info, setInfo] = useState<AppInfo>();
  const [setup, setSetup] = useState<Setup>();
  const [status, setStatus] = useState<AppStatus>();
  const [unanswered, setUnanswered] = useState(false);
  const [view, setView] = useState<View>('profiles');
  const [flow, setFlow] = useState<SignInFlow>({ step: 'idle' });
  const [signOutRefusal, setSignOutRefusal] = useState<string>();
  // The sign-in whose answers still count: a cancelled one may yet settle or send events.
  const attempts = useRef(0);
  const running = useRef<number | null>(null);
  const main = useRef<HTMLElement>(null);
  const shown = useRef<Screen | undefined>(undefined);

  useEffect(() => {
    const stopStatus = api.onStatus(setStatus);
    const stopSignIn = api.onSignInEvent((event) => {
      if (running.current !== null) setFlow(flowAfter(event));
    });
    Promise.all([api.getAppInfo(), api.getStatus(), api.getSetup()]).then(
      ([appInfo, first, firstSetup]) => {
        setInfo(appInfo);
        setSetup(firstSetup);
        // A status pushed while these were on their way is newer than the one asked for.
        setStatus((pushed) => pushed ?? first);
      },
      () => setUnanswered(true),
    );
    return () => {
      stopStatus();
      stopSignIn();
    };
  }, [api]);

  function signIn(token?: string) {
    const attempt = ++attempts.current;
    running.current = attempt;
    setFlow({ step: 'starting' });
    const settle = (then: () => void) => {
      if (running.current !== attempt) return;
      running.current = null;
      then();
    };
    api.signIn({ token }).then(
      (next) =>
        settle(() => {
          setStatus(next);
          setFlow({ step: 'idle' });
        }),
      (error: unknown) => settle(() => setFlow({ step: 'failed', message: messageOf(error) })),
    );
  }

  function cancelSignIn() {
    running.current = null;
    setFlow({ step: 'idle' });
    api
      .cancelSignIn()
      .catch((error: unknown) => setFlow({ step: 'failed', message: messageOf(error) }));
  }

  function signOut() {
    setSignOutRefusal(undefined);
    api.signOut().then(setStatus, (error: unknown) => setSignOutRefusal(messageOf(error)));
  }

  /** A connection saved (typed, or from a team file): on to signing in with it. */
  function connected(saved: Connection) {
    setSetup((current) => current && { ...current, connection: saved });
    setView('profiles');
    askToSignIn(saved);
  }

  /** Token sign-in needs the token typed; the others start at once. */
  function askToSignIn(connection: Connection) {
    if (connection.authMethod === 'token') setFlow({ step: 'asked' });
    else signIn();
  }

  const signedIn = status?.session.state === 'active' || status?.session.state === 'ending_soon';
  const connection = setup?.connection;
  const screen: Screen | undefined = !setup
    ? undefined
    : view === 'settings'
      ? 'settings'
      : view === 'connect' || !connection
        ? 'connect'
        : !signedIn || flow.step !== 'idle'
          ? 'sign-in'
          : view;

  // A new screen takes the focus to its heading, so keyboard and screen reader users start there.
  useEffect(() => {
    if (shown.current !== undefined && shown.current !== screen) {
      main.current?.querySelector<HTMLElement>('h1')?.focus();
    }
    shown.current = screen;
  }, [screen]);

  if (unanswered) {
    return (
      <main>
        <p role="alert">The app could not answer. Restart it from the tray.</p>
      </main>
    );
  }
  if (!info || !setup || !status || !screen) {
    return (
      <main>
        <p role="status">Loading…</p>
      </main>
    );
  }

  const views: View[] = [
    ...(connection ? [] : ['connect' as const]),
    'profiles',
    'roles',
    'settings',
  ];
  // Sign in is no section of its own: while it shows, no section is marked as the current one.
  const current: View | undefined = screen === 'sign-in' ? undefined : screen;

  return (
    <>
      <header class="bar">
        <p class="brand">
          {info.name} <span class="version">{info.version}</span>
        </p>
        <nav aria-label="Sections">
          <ul>
            {views.map((name) => (
              <li key={name}>
                <button
                  type="button"
                  aria-current={name === current ? 'page' : undefined}
                  onClick={() => setView(name)}
                >
                  {VIEW_NAMES[name]}
                </button>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      <main ref={main}>
        <Alert message={signOutRefusal} />
        {screen === 'connect' && (
          <Connect
            api={api}
            connection={connection}
            vaultAddrFromEnv={info.vaultAddrFromEnv}
            onSaved={connected}
            onTeamApplied={(saved) => {
              // A file of profiles only: the Connect screen stays, with the setup read afresh.
              if (saved) connected(saved);
              else void api.getSetup().then(setSetup);
            }}
          />
        )}
        {screen === 'sign-in' && connection && (
          <SignIn
            api={api}
            address={connection.address}
            namespace={connection.namespace}
            method={connection.authMethod}
            flow={flow}
            canDismiss={signedIn}
            onSignIn={signIn}
            onCancel={cancelSignIn}
            onDismiss={() => setFlow({ step: 'idle' })}
            onChangeConnection={() => setView('connect')}
          />
        )}
        {screen === 'profiles' && connection && (
          <Profiles
            api={api}
            status={status}
            onChooseRoles={() => setView('roles')}
            onSignInAgain={() => askToSignIn(connection)}
            onSignOut={signOut}
          />
        )}
        {screen === 'roles' && <ChooseRoles api={api} onDone={() => setView('profiles')} />}
        {screen === 'settings' && (
          <Settings
            api={api}
            setup={setup}
            signedIn={signedIn}
            onSaved={(preferences) => setSetup({ ...setup, preferences })}
            onChangeConnection={() => setView('connect')}
            onSignOut={signOut}
          />
        )}
      </main>
    </>
  );
}

import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import {
  PORT,
  isHttpUrl,
  vaultNameProblem,
  vaultPathProblem,
  wholeNumberProblem,
} from '../../shared/fields.js';
import type { Api, AuthMethod, Connection } from '../../shared/ipc.js';
import { Alert, RadioGroup, TextField, useFocusFirstInvalid } from '../fields.js';
import { messageOf } from '../format.js';
import { TeamFile } from './team-file.js';

/** The vault CLI's loopback port for the OIDC callback. */
const DEFAULT_CALLBACK_PORT = 8250;

interface Draft {
  address: string;
  namespace: string;
  authMethod: AuthMethod;
  authMount: string;
  authRole: string;
  issuer: string;
  clientId: string;
  caFile: string;
  callbackPort: string;
  proxy: string;
}

function draftOf(connection: Connection | undefined, vaultAddrFromEnv: string | undefined): Draft {
  return {
    address: connection?.address ?? vaultAddrFromEnv ?? '',
    namespace: connection?.namespace ?? '',
    authMethod: connection?.authMethod ?? 'oidc',
    authMount: connection?.authMount ?? '',
    authRole: connection?.authRole ?? '',
    issuer: connection?.issuer ?? '',
    clientId: connection?.clientId ?? '',
    caFile: connection?.caFile ?? '',
    callbackPort: connection?.callbackPort?.toString() ?? '',
    proxy: connection?.proxy ?? '',
  };
}

type Problems = Partial<Record<keyof Draft, string>>;

function problemsOf(draft: Draft): Problems {
  const problems: Problems = {};
  const browser = draft.authMethod !== 'token';
  if (!isHttpUrl(draft.address.trim())) {
    problems.address =
      'Enter the Vault address as an http:// or https:// URL, such as https://vault.example.com:8200.';
  }
  if (browser && draft.authMount.trim()) {
    problems.authMount = vaultPathProblem(draft.authMount.trim(), 'The mount');
  }
  if (browser && draft.authRole.trim()) {
    problems.authRole = vaultNameProblem(draft.authRole.trim(), 'The role');
  }
  if (draft.authMethod === 'jwt') {
    if (!isHttpUrl(draft.issuer.trim())) problems.issuer = 'Enter the issuer as an https:// URL.';
    if (!draft.clientId.trim()) problems.clientId = 'Enter the client ID the issuer gave the app.';
  }
  if (browser && draft.callbackPort.trim()) {
    problems.callbackPort = wholeNumberProblem(draft.callbackPort, PORT, 'The callback port');
  }
  if (draft.proxy.trim() && !isHttpUrl(draft.proxy.trim())) {
    problems.proxy = 'Enter the proxy as an http:// or https:// URL.';
  }
  return problems;
}

/** The connection as main takes it: fields left empty stay undefined, so main applies defaults. */
function connectionOf(draft: Draft): Connection {
  const given = (value: string) => value.trim() || undefined;
  const browser = draft.authMethod !== 'token';
  const port = browser ? given(draft.callbackPort) : undefined;
  return {
    address: draft.address.trim(),
    namespace: draft.namespace.trim(),
    authMethod: draft.authMethod,
    authMount: browser ? given(draft.authMount) : undefined,
    authRole: browser ? given(draft.authRole) : undefined,
    issuer: draft.authMethod === 'jwt' ? given(draft.issuer) : undefined,
    clientId: draft.authMethod === 'jwt' ? given(draft.clientId) : undefined,
    caFile: given(draft.caFile),
    callbackPort: port === undefined ? undefined : Number(port),
    proxy: given(draft.proxy),
  };
}

export function Connect(props: {
  api: Api;
  connection?: Connection;
  vaultAddrFromEnv?: string;
  onSaved(connection: Connection): void;
  /** A team file was applied: its connection, when it named one (then sign in as after Save). */
  onTeamApplied(connection: Connection | undefined): void;
}) {
  const { api, onSaved } = props;
  const [draft, setDraft] = useState(() => draftOf(props.connection, props.vaultAddrFromEnv));
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const { form, focusFirstInvalid } = useFocusFirstInvalid();
  // A connection that uses the advanced settings shows them.
  const [advancedOpen, setAdvancedOpen] = useState(() =>
    Boolean(draft.caFile || draft.callbackPort || draft.proxy),
  );

  const problems = tried ? problemsOf(draft) : {};
  const browser = draft.authMethod !== 'token';
  const set = (key: keyof Draft) => (value: string) => setDraft({ ...draft, [key]: value });

  async function save(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setTried(true);
    setRefusal(undefined);
    const found = problemsOf(draft);
    if (Object.values(found).some(Boolean)) {
      if (found.callbackPort ?? found.proxy) setAdvancedOpen(true);
      focusFirstInvalid();
      return;
    }
    const connection = connectionOf(draft);
    setSaving(true);
    try {
      await api.saveConnection(connection);
      onSaved(connection);
    } catch (error) {
      setRefusal(messageOf(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <h1 tabIndex={-1}>Connect to Vault</h1>
      <p class="lead">Where your Vault is and how you sign in to it, as with the vault CLI.</p>
      <TeamFile api={api} onApplied={props.onTeamApplied} />
      <h2>Or enter them yourself</h2>
      <form ref={form} onSubmit={save} noValidate>
        <TextField
          id="vault-address"
          label="Vault address"
          type="url"
          value={draft.address}
          onValue={set('address')}
          placeholder="https://vault.example.com:8200"
          autoComplete="url"
          spellcheck={false}
          required
          error={problems.address}
        />
        <TextField
          id="vault-namespace"
          label="Namespace"
          value={draft.namespace}
          onValue={set('namespace')}
          spellcheck={false}
          hint="Leave empty for the root namespace or when your Vault has none."
        />
        <RadioGroup<AuthMethod>
          name="auth-method"
          legend="Sign in with"
          value={draft.authMethod}
          onValue={(authMethod) => setDraft({ ...draft, authMethod })}
          choices={[
            { value: 'oidc', label: 'OIDC', hint: 'Your browser opens the sign-in page.' },
            { value: 'jwt', label: 'JWT', hint: 'A token from your identity provider.' },
            { value: 'token', label: 'Token', hint: 'Paste a Vault token.' },
          ]}
        />
        {draft.authMethod === 'jwt' && (
          <>
            <TextField
              id="jwt-issuer"
              label="Issuer"
              type="url"
              value={draft.issuer}
              onValue={set('issuer')}
              placeholder="https://login.example.com"
              spellcheck={false}
              error={problems.issuer}
            />
            <TextField
              id="jwt-client-id"
              label="Client ID"
              value={draft.clientId}
              onValue={set('clientId')}
              spellcheck={false}
              error={problems.clientId}
            />
          </>
        )}
        {browser && (
          <div class="row">
            <TextField
              id="auth-mount"
              label="Mount"
              value={draft.authMount}
              onValue={set('authMount')}
              placeholder={draft.authMethod}
              spellcheck={false}
              error={problems.authMount}
            />
            <TextField
              id="auth-role"
              label="Role"
              value={draft.authRole}
              onValue={set('authRole')}
              placeholder="the mount's default role"
              spellcheck={false}
              error={problems.authRole}
            />
          </div>
        )}
        <details
          class="advanced"
          open={advancedOpen}
          onToggle={(event) => setAdvancedOpen(event.currentTarget.open)}
        >
          <summary>Advanced</summary>
          <TextField
            id="ca-file"
            label="CA certificate file"
            value={draft.caFile}
            onValue={set('caFile')}
            placeholder="/path/to/ca.pem"
            spellcheck={false}
            hint="Only when Vault's certificate is signed by your own authority."
          />
          {browser && (
            <TextField
              id="callback-port"
              label="Callback port"
              value={draft.callbackPort}
              onValue={set('callbackPort')}
              inputMode="numeric"
              placeholder={String(DEFAULT_CALLBACK_PORT)}
              hint="The port on this computer the sign-in page returns to; 0 picks a free one."
              error={problems.callbackPort}
            />
          )}
          <TextField
            id="proxy"
            label="Proxy"
            type="url"
            value={draft.proxy}
            onValue={set('proxy')}
            placeholder="http://proxy.example.com:3128"
            spellcheck={false}
            error={problems.proxy}
          />
        </details>
        <div class="actions">
          <button type="submit" class="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save and sign in'}
          </button>
        </div>
        <Alert message={refusal} />
      </form>
    </>
  );
}

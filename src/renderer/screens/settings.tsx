import { useState } from 'preact/hooks';
import type { TargetedSubmitEvent } from 'preact';
import { LEAD_SECONDS, inMinutes, wholeNumberProblem } from '../../shared/fields.js';
import type { Api, Preferences, Setup } from '../../shared/ipc.js';
import { Alert, Checkbox, RadioGroup, TextField, useFocusFirstInvalid } from '../fields.js';
import { messageOf } from '../format.js';

const LEAD_MINUTES = inMinutes(LEAD_SECONDS);

/**
 * The file an empty field means, said in the hint: a path as a placeholder would be cut off in a
 * field of the window's width, and the hint wraps.
 */
function InUse({ path }: { path: string }) {
  return (
    <>
      Empty: the file the AWS tools use, <span class="mono">{path}</span>.
    </>
  );
}

export function Settings(props: {
  api: Api;
  setup: Setup;
  signedIn: boolean;
  onSaved(preferences: Preferences): void;
  onChangeConnection(): void;
  onSignOut(): void;
}) {
  const { api, setup } = props;
  const saved = setup.preferences;
  const [lead, setLead] = useState(saved.leadMinutes?.toString() ?? '');
  const [notifications, setNotifications] = useState(saved.notifications);
  const [startAtLogin, setStartAtLogin] = useState(saved.startAtLogin);
  const [credentialsFile, setCredentialsFile] = useState(saved.credentialsFile ?? '');
  const [configFile, setConfigFile] = useState(saved.configFile ?? '');
  const [externalEdits, setExternalEdits] = useState(saved.externalEdits);
  const [consoleBrowser, setConsoleBrowser] = useState(saved.consoleBrowser ?? '');
  const [tried, setTried] = useState(false);
  const [saving, setSaving] = useState(false);
  const [notice, setNotice] = useState('');
  const [refusal, setRefusal] = useState<string>();
  const { form, focusFirstInvalid } = useFocusFirstInvalid();

  const leadProblem = lead
    ? wholeNumberProblem(lead, LEAD_MINUTES, 'The refresh lead', ' minutes')
    : undefined;

  async function save(event: TargetedSubmitEvent<HTMLFormElement>) {
    event.preventDefault();
    setTried(true);
    setNotice('');
    setRefusal(undefined);
    if (leadProblem) {
      focusFirstInvalid();
      return;
    }
    const preferences: Preferences = {
      leadMinutes: lead ? Number(lead) : undefined,
      notifications,
      startAtLogin,
      credentialsFile: credentialsFile || undefined,
      configFile: configFile || undefined,
      externalEdits,
      consoleBrowser: consoleBrowser || undefined,
    };
    setSaving(true);
    try {
      await api.savePreferences(preferences);
      props.onSaved(preferences);
      setNotice('Saved.');
    } catch (error) {
      setRefusal(messageOf(error));
    } finally {
      setSaving(false);
    }
  }

  return (
    <>
      <h1 tabIndex={-1}>Settings</h1>
      <form ref={form} onSubmit={save} noValidate>
        <TextField
          id="lead-minutes"
          label="Refresh this many minutes before expiry"
          value={lead}
          onValue={(value) => setLead(value.trim())}
          inputMode="numeric"
          hint="Empty: a third of each profile's credential lifetime."
          error={tried ? leadProblem : undefined}
        />
        <div class="checks">
          <Checkbox
            id="notifications"
            label="Notify me before credentials expire and when I need to sign in"
            checked={notifications}
            onChecked={setNotifications}
          />
          <Checkbox
            id="start-at-login"
            label="Start when I log in"
            checked={startAtLogin}
            onChecked={setStartAtLogin}
          />
        </div>
        <TextField
          id="credentials-file"
          label="AWS credentials file"
          value={credentialsFile}
          onValue={(value) => setCredentialsFile(value.trim())}
          spellcheck={false}
          hint={<InUse path={setup.files.credentialsFile} />}
        />
        <TextField
          id="config-file"
          label="AWS config file"
          value={configFile}
          onValue={(value) => setConfigFile(value.trim())}
          spellcheck={false}
          hint={<InUse path={setup.files.configFile} />}
        />
        <RadioGroup<Preferences['externalEdits']>
          name="external-edits"
          legend="When something else edits a profile this app manages"
          value={externalEdits}
          onValue={setExternalEdits}
          choices={[
            { value: 'restore', label: 'Put the managed profile back' },
            { value: 'detach', label: 'Keep the edit and stop managing that profile' },
          ]}
        />
        <TextField
          id="console-browser"
          label="Browser for the AWS console"
          value={consoleBrowser}
          onValue={(value) => setConsoleBrowser(value.trim())}
          placeholder="the default browser"
          spellcheck={false}
          hint="A command with {url}, e.g. firefox -P work --new-window {url}, to keep each account's console in its own browser profile. Empty: the default browser."
        />
        <div class="actions">
          <button type="submit" class="primary" disabled={saving}>
            {saving ? 'Saving…' : 'Save'}
          </button>
        </div>
        <p role="status" class="notice">
          {notice}
        </p>
        <Alert message={refusal} />
      </form>
      <section aria-labelledby="vault-heading">
        <h2 id="vault-heading">Vault</h2>
        <p>
          {setup.connection ? (
            <>
              Connected to <span class="mono">{setup.connection.address}</span>
            </>
          ) : (
            'No Vault connection yet.'
          )}
        </p>
        <div class="actions">
          <button type="button" onClick={props.onChangeConnection}>
            {setup.connection ? 'Change connection' : 'Connect'}
          </button>
          {props.signedIn && (
            <button type="button" onClick={props.onSignOut}>
              Sign out
            </button>
          )}
        </div>
      </section>
    </>
  );
}

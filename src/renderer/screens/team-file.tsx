import { useEffect, useRef, useState } from 'preact/hooks';
import type { Api, Connection, TeamFilePreview } from '../../shared/ipc.js';
import { Alert } from '../fields.js';
import { messageOf } from '../format.js';

/**
 * "Use team settings…" on the Connect screen: the OS file picker (in main), what the file would
 * change, and one button that applies it and signs in. The same plan as `vault-aws-tray setup`.
 */
export function TeamFile({
  api,
  onApplied,
}: {
  api: Api;
  /** The file was applied; its Vault connection, when it named one. */
  onApplied(connection: Connection | undefined): void;
}) {
  const [preview, setPreview] = useState<TeamFilePreview>();
  const [busy, setBusy] = useState(false);
  const [refusal, setRefusal] = useState<string>();
  const [note, setNote] = useState<string>();
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    if (preview) heading.current?.focus();
  }, [preview]);

  async function choose() {
    setRefusal(undefined);
    setNote(undefined);
    setBusy(true);
    try {
      setPreview((await api.chooseTeamFile()) ?? undefined);
    } catch (error) {
      setPreview(undefined);
      setRefusal(messageOf(error));
    } finally {
      setBusy(false);
    }
  }

  async function apply() {
    setRefusal(undefined);
    setBusy(true);
    try {
      const { connection } = await api.applyTeamFile();
      setPreview(undefined);
      if (!connection) setNote('The profiles are saved. Now say where your Vault is, below.');
      onApplied(connection);
    } catch (error) {
      setRefusal(messageOf(error));
    } finally {
      setBusy(false);
    }
  }

  const blocked = preview !== undefined && preview.problems.length > 0;
  return (
    <section class="team-file" aria-labelledby={preview ? 'team-heading' : undefined}>
      {!preview && (
        <p>
          Given a settings file by your team?{' '}
          <button type="button" onClick={() => void choose()} disabled={busy}>
            Use team settings…
          </button>
        </p>
      )}
      {preview && (
        <>
          <h2 id="team-heading" tabIndex={-1} ref={heading}>
            Team settings
          </h2>
          <p class="mono">{preview.source}</p>
          <ul class="plan">
            {preview.lines.map((line) => (
              <li key={line} class={line.startsWith('  ') ? 'sub' : undefined}>
                {line.trim()}
              </li>
            ))}
          </ul>
          {blocked && (
            <div class="alert" role="alert">
              <p>This file cannot be applied:</p>
              <ul>
                {preview.problems.map((problem) => (
                  <li key={problem}>{problem}</li>
                ))}
              </ul>
            </div>
          )}
          {preview.changesExisting && !blocked && (
            <p class="note">This changes settings or profiles you have.</p>
          )}
          <div class="actions">
            {!blocked && (
              <button type="button" class="primary" onClick={() => void apply()} disabled={busy}>
                {busy ? 'Applying…' : 'Apply and sign in'}
              </button>
            )}
            <button
              type="button"
              onClick={() => (blocked ? void choose() : setPreview(undefined))}
              disabled={busy}
            >
              {blocked ? 'Choose another file…' : 'Cancel'}
            </button>
          </div>
        </>
      )}
      <Alert message={refusal} />
      {note && <p role="status">{note}</p>}
    </section>
  );
}

/**
 * The one way the app changes `~/.aws/credentials` and `~/.aws/config`. Which profiles the app
 * manages is the caller's knowledge (the settings), not the files': refreshes write managed
 * profiles unconditionally, while adding a profile refuses sections that are already there
 * unless the caller adopts them.
 */
import type { Clock } from '../ports.js';
import { CredentialsFileError, brokenFileError } from './errors.js';
import { readFileCapped } from './file-access.js';
import type { AwsFilePaths } from './file-paths.js';
import { findSection, optionValue, parseIni, type IniDocument } from './ini-document.js';
import {
  IniEditor,
  configEntries,
  configSectionName,
  credentialEntries,
  credentialsSectionName,
  type DeliveryMode,
  type Entry,
} from './managed-sections.js';
import { checkName, checkUpdates, type ProfileUpdate } from './profile-updates.js';
import { editFiles, type FileEdit } from './safe-writer.js';
import { findShadowing, type ShadowingFinding } from './shadowing.js';
import { parseStrict } from './strict-validate.js';
import { nodeFs, type WriterFs } from './writer-fs.js';

export type { FileProfileUpdate, ProcessProfileUpdate, ProfileUpdate } from './profile-updates.js';
export { updateProblem } from './profile-updates.js';

export interface WriteReport {
  /** Files that were replaced (resolved paths); an edit that changes nothing writes nothing. */
  readonly written: readonly string[];
  /** The rolling backups refreshed by this write and any adoption backups created. */
  readonly backups: readonly string[];
  /** Other settings of the written profiles that hide or mix the managed keys. */
  readonly shadowing: readonly ShadowingFinding[];
}

export interface ProfileInspection {
  readonly inCredentialsFile: boolean;
  /** The key id in the credentials file's section (not a secret): tells whose keys are there. */
  readonly accessKeyId: string | undefined;
  readonly inConfigFile: boolean;
  /** The config section's `credential_process`: tells whether a process profile is as written. */
  readonly credentialProcess: string | undefined;
  readonly shadowing: readonly ShadowingFinding[];
}

export interface CredentialsFileWriterOptions {
  readonly paths: AwsFilePaths;
  /** Write into the existing files instead of replacing them (see SafeWriterOptions.inPlace). */
  readonly inPlace?: boolean | undefined;
  /** A lock not refreshed for this long belongs to a dead writer. Default 10 s. */
  readonly staleLockMs?: number | undefined;
  /** How long to wait for another live writer. Default 15 s. */
  readonly lockWaitMs?: number | undefined;
  readonly fs?: WriterFs | undefined;
  readonly clock?: Pick<Clock, 'now'> | undefined;
}

export class CredentialsFileWriter {
  private readonly paths: AwsFilePaths;
  private readonly fs: WriterFs;
  private readonly options: CredentialsFileWriterOptions;

  constructor(options: CredentialsFileWriterOptions) {
    this.options = options;
    this.paths = options.paths;
    this.fs = options.fs ?? nodeFs;
  }

  /**
   * Writes fresh credentials (or a `credential_process` command) for a batch of profiles in one
   * write of each file, so a profile switching delivery mode moves between the files at once.
   * Profiles in `adding` are new to the app: the write is refused if either file already has a
   * section for one of them (only adopting takes such a section).
   */
  async applyProfiles(
    updates: readonly ProfileUpdate[],
    options: { adding?: ReadonlySet<string> } = {},
  ): Promise<WriteReport> {
    checkUpdates(updates);
    if (updates.length === 0) return { written: [], backups: [], shadowing: [] };
    return this.edit(updates.map(modeOf), ([credentials, config]) => {
      for (const { profile } of updates) {
        if (!options.adding?.has(profile)) continue;
        const existing =
          sectionLine(credentials!, credentialsSectionName(profile), this.paths.credentialsFile) ??
          sectionLine(config!, configSectionName(profile), this.paths.configFile);
        if (existing !== undefined) {
          throw new CredentialsFileError(
            'not-ours',
            `${existing}: profile ${profile} already exists and the app does not manage it; adopt it to let the app replace it (its old content is kept in a backup)`,
          );
        }
      }
      const editors = [new IniEditor(credentials!), new IniEditor(config!)] as const;
      for (const update of updates) setProfile(editors, update);
      return finish(editors, updates);
    });
  }

  /**
   * Takes over a profile's existing sections: their old text goes to a backup file of its own
   * beside each file, and they are replaced by the managed ones in the same place.
   */
  async adoptProfile(update: ProfileUpdate): Promise<WriteReport> {
    checkUpdates([update]);
    const { profile } = update;
    return this.edit([modeOf(update)], ([credentials, config]) => {
      const files = [
        [credentials!, credentialsSectionName(profile), this.paths.credentialsFile],
        [config!, configSectionName(profile), this.paths.configFile],
      ] as const;
      return files.map(([doc, section, file], i): FileEdit => {
        const editor = new IniEditor(doc);
        const old = editor.sectionText(section);
        // No entries removes the section: a process profile has none in the credentials file.
        const entries = i === 0 ? credentialsFileEntries(update) : configEntries(update);
        editor.replaceSection(section, entries);
        const note = `# vault-aws-tray adopted profile ${profile}: section [${section}] of ${file} as it was before.\n`;
        return {
          text: editor.toText(),
          managed: new Set([section]),
          keep: old === undefined ? undefined : { label: profile, text: note + old },
        };
      });
    });
  }

  /** Removes the profile's sections from both files, and nothing else. */
  async removeProfile(profile: string): Promise<WriteReport> {
    checkName(profile);
    return this.edit([[profile, 'file']], (docs) =>
      docs.map((doc, i) => {
        const section = i === 0 ? credentialsSectionName(profile) : configSectionName(profile);
        const editor = new IniEditor(doc);
        editor.removeSection(section);
        return { text: editor.toText(), managed: new Set([section]) };
      }),
    );
  }

  /**
   * Where the profile is and what would hide its credentials when delivered by `mode`; reads
   * without locking.
   */
  async inspect(profile: string, mode: DeliveryMode = 'file'): Promise<ProfileInspection> {
    checkName(profile);
    const [credentials, config] = await Promise.all([
      this.read(this.paths.credentialsFile),
      this.read(this.paths.configFile),
    ]);
    const section = findSection(credentials, credentialsSectionName(profile));
    const configSection = findSection(config, configSectionName(profile));
    return {
      inCredentialsFile: section !== undefined,
      accessKeyId: section && optionValue(credentials, section, 'aws_access_key_id'),
      inConfigFile: configSection !== undefined,
      credentialProcess: configSection && optionValue(config, configSection, 'credential_process'),
      shadowing: this.shadowing([credentials, config], [[profile, mode]]),
    };
  }

  private async edit(
    profiles: readonly ProfileMode[],
    editor: (docs: readonly IniDocument[]) => readonly FileEdit[],
  ): Promise<WriteReport> {
    const { credentialsFile, configFile } = this.paths;
    const result = await editFiles([credentialsFile, configFile], editor, {
      fs: this.fs,
      inPlace: this.options.inPlace ?? false,
      staleMs: this.options.staleLockMs ?? 10_000,
      waitMs: this.options.lockWaitMs ?? 15_000,
      now: () => (this.options.clock ?? Date).now(),
    });
    return {
      written: result.written,
      backups: result.backups,
      shadowing: this.shadowing(result.docs, profiles),
    };
  }

  private shadowing(
    docs: readonly IniDocument[],
    profiles: readonly ProfileMode[],
  ): ShadowingFinding[] {
    const [credentials, config] = docs;
    return profiles.flatMap(([profile, mode]) => [
      ...findShadowing(
        credentials!,
        this.paths.credentialsFile,
        credentialsSectionName(profile),
        false,
        mode,
      ),
      ...findShadowing(config!, this.paths.configFile, configSectionName(profile), true, mode),
    ]);
  }

  /** Read-only files and other users' files are read as usual: only replacing them is refused. */
  private async read(file: string): Promise<IniDocument> {
    const bytes = await readFileCapped(this.fs, file);
    if (bytes === undefined) return parseIni('');
    const parsed = parseStrict(bytes);
    if ('rule' in parsed) throw brokenFileError(file, parsed);
    return parsed;
  }
}

type ProfileMode = readonly [profile: string, mode: DeliveryMode];

function modeOf(update: ProfileUpdate): ProfileMode {
  return [update.profile, update.credentialProcess === undefined ? 'file' : 'process'];
}

function credentialsFileEntries(update: ProfileUpdate): Entry[] {
  return update.credentialProcess === undefined ? credentialEntries(update.credentials) : [];
}

function setProfile(editors: readonly [IniEditor, IniEditor], update: ProfileUpdate): void {
  const section = credentialsSectionName(update.profile);
  if (update.credentialProcess === undefined) {
    editors[0].setEntries(section, credentialEntries(update.credentials));
  } else {
    // The whole section, foreign keys included: any of them would hide or mix with the command.
    editors[0].removeSection(section);
  }
  editors[1].setEntries(configSectionName(update.profile), configEntries(update));
}

function finish(
  editors: readonly [IniEditor, IniEditor],
  updates: readonly ProfileUpdate[],
): FileEdit[] {
  return [
    {
      text: editors[0].toText(),
      managed: new Set(updates.map((u) => credentialsSectionName(u.profile))),
    },
    {
      text: editors[1].toText(),
      managed: new Set(updates.map((u) => configSectionName(u.profile))),
    },
  ];
}

function sectionLine(doc: IniDocument, section: string, file: string): string | undefined {
  const found = findSection(doc, section);
  return found === undefined ? undefined : `${file}:${found.header + 1}`;
}

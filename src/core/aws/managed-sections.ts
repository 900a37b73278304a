/**
 * Edits to the sections the app manages, on the lossless line model. Only lines inside a managed
 * section are replaced or removed; new sections go at the end of the file. Every other byte is
 * copied from the original text.
 */
import {
  findSection,
  isPythonSpace,
  optionEnd,
  type IniDocument,
  type IniSection,
} from './ini-document.js';

/** A key and the value it must have; `undefined` means the key must not be there. */
export type Entry = readonly [key: string, value: string | undefined];

export interface SessionCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** Absent or empty when the credentials have none: the key is then deleted. */
  readonly sessionToken?: string | undefined;
  readonly expiresAt: Date;
}

/**
 * How a managed profile gets its credentials: static keys in the credentials file, or a
 * `credential_process` command in the config file (with no credentials-file section at all).
 */
export type DeliveryMode = 'file' | 'process';

/** Absent or empty values are deleted from the profile's config section. */
export interface ProfileConfig {
  readonly region?: string | undefined;
  readonly output?: string | undefined;
  readonly credentialProcess?: string | undefined;
}

/**
 * Static key material: it lives in the credentials file only, as docs/credentials-file.md explains
 * (SDKs that merge the two files key by key would mix a fresh key with a stale secret).
 */
export const KEY_MATERIAL = [
  'aws_access_key_id',
  'aws_secret_access_key',
  'aws_session_token',
  'aws_security_token',
] as const;

export function credentialsSectionName(profile: string): string {
  return profile;
}

export function configSectionName(profile: string): string {
  return profile === 'default' ? 'default' : `profile ${profile}`;
}

/** RFC 3339 in UTC with whole seconds, as saml2aws writes `x_security_token_expires`. */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function credentialEntries(credentials: SessionCredentials): Entry[] {
  return [
    ['aws_access_key_id', credentials.accessKeyId],
    ['aws_secret_access_key', credentials.secretAccessKey],
    ['aws_session_token', credentials.sessionToken || undefined],
    // botocore reads this legacy alias before aws_session_token, so a stale one would win.
    ['aws_security_token', undefined],
    ['x_security_token_expires', rfc3339(credentials.expiresAt)],
  ];
}

export function configEntries(config: ProfileConfig): Entry[] {
  return [
    ['region', config.region || undefined],
    ['output', config.output || undefined],
    ['credential_process', config.credentialProcess || undefined],
    ...KEY_MATERIAL.map((key): Entry => [key, undefined]),
  ];
}

interface Replacement {
  readonly from: number;
  readonly to: number;
  readonly lines: readonly string[];
}

/** Edits against one parsed document, applied together by {@link IniEditor.toText}. */
export class IniEditor {
  private readonly replacements: Replacement[] = [];
  private readonly appended: string[][] = [];
  /** Line ranges of the managed sections that stay in the file. */
  private readonly managedRanges: { from: number; to: number }[] = [];

  constructor(private readonly doc: IniDocument) {}

  /** The section's exact original text, from its header to its last setting. */
  sectionText(name: string): string | undefined {
    const section = findSection(this.doc, name);
    if (section === undefined) return undefined;
    const first = this.doc.lines[section.header]!;
    const last = this.doc.lines[section.end - 1]!;
    return this.doc.text.slice(first.start, last.end) + (last.eol || this.doc.eol);
  }

  /**
   * Gives each key its value in place, keeping the line's indentation (Python reads indentation
   * as structure); deletes keys without a value and appends missing ones after the section's
   * last setting. A missing section is created only when some key has a value.
   */
  setEntries(name: string, entries: readonly Entry[]): void {
    const section = findSection(this.doc, name);
    if (section === undefined) {
      this.appendSection(name, entries);
      return;
    }
    const wanted = new Map(entries);
    const seen = new Set<string>();
    for (let i = section.header + 1; i < section.end; i++) {
      const line = this.doc.lines[i]!;
      if (line.kind !== 'option' || !wanted.has(line.name)) continue;
      const value = wanted.get(line.name);
      const indent = this.indentOf(i);
      seen.add(line.name);
      this.replace(
        i,
        optionEnd(this.doc, i),
        value === undefined ? [] : [`${indent}${line.name} = ${value}`],
      );
    }
    const missing = entries.filter(([key, value]) => value !== undefined && !seen.has(key));
    if (missing.length > 0) this.replace(section.end, section.end, formatEntries(missing));
    this.managedRanges.push({ from: section.header, to: section.end });
  }

  /** Replaces the whole section (header to last setting) with a fresh one, in the same place. */
  replaceSection(name: string, entries: readonly Entry[]): void {
    const section = findSection(this.doc, name);
    if (section === undefined) {
      this.appendSection(name, entries);
      return;
    }
    const lines = formatEntries(entries);
    this.replace(section.header, section.end, lines.length > 0 ? [`[${name}]`, ...lines] : []);
    if (lines.length > 0) this.managedRanges.push({ from: section.header, to: section.end });
  }

  removeSection(name: string): void {
    const section = findSection(this.doc, name);
    if (section !== undefined) this.replace(section.header, section.end, []);
  }

  toText(): string {
    const { doc } = this;
    const lines = doc.lines;
    // In line order; an insertion goes before a replacement that starts at the same line.
    const sorted = [...this.replacements].sort(
      (a, b) => a.from - b.from || a.to - a.from - (b.to - b.from),
    );
    const out: string[] = [];
    // The original last line may lack a terminator; it needs one only if something follows it.
    let owesEol = false;
    let lastLineIsOurs = false;
    let lastLineIsBlank = true;
    let lastLineIsEmpty = true;
    const emitNew = (texts: readonly string[]): void => {
      for (const text of texts) {
        if (owesEol) out.push(doc.eol);
        out.push(text, doc.eol);
        owesEol = false;
        lastLineIsOurs = true;
        lastLineIsBlank = text === '';
        lastLineIsEmpty = text === '';
      }
    };
    const emitOriginal = (from: number, to: number): void => {
      if (from >= to) return;
      if (owesEol) out.push(doc.eol);
      const last = lines[to - 1]!;
      out.push(doc.text.slice(lines[from]!.start, last.end), last.eol);
      owesEol = last.eol === '';
      lastLineIsOurs = this.managedRanges.some((r) => to - 1 >= r.from && to - 1 < r.to);
      lastLineIsBlank = last.kind === 'blank';
      lastLineIsEmpty = last.start === last.end;
    };
    let at = 0;
    for (const { from, to, lines: texts } of sorted) {
      emitOriginal(at, from);
      emitNew(texts);
      at = Math.max(at, to);
    }
    emitOriginal(at, lines.length);
    for (const section of this.appended) {
      // One blank line between the file's last line and a new section.
      if (!lastLineIsBlank) emitNew(['']);
      emitNew(section);
    }
    // A file without a final newline keeps that, unless the last line is empty (it would vanish).
    const missingFinalNewline = lines.length > 0 && lines[lines.length - 1]!.eol === '';
    if (missingFinalNewline && lastLineIsOurs && !owesEol && !lastLineIsEmpty) out.pop();
    return out.join('');
  }

  private appendSection(name: string, entries: readonly Entry[]): void {
    const lines = formatEntries(entries);
    if (lines.length > 0) this.appended.push([`[${name}]`, ...lines]);
  }

  private replace(from: number, to: number, lines: readonly string[]): void {
    this.replacements.push({ from, to, lines });
  }

  private indentOf(index: number): string {
    const line = this.doc.lines[index]!;
    let first = line.start;
    while (isPythonSpace(this.doc.text.charCodeAt(first))) first++;
    return this.doc.text.slice(line.start, first);
  }
}

/** `key = value`: lower-case key, no quotes, no inline comment (the form every SDK reads alike). */
function formatEntries(entries: readonly Entry[]): string[] {
  return entries.flatMap(([key, value]) => (value === undefined ? [] : [`${key} = ${value}`]));
}

/**
 * The first header line (1-based) of an unmanaged section that reads differently after an edit,
 * or undefined. Bytes outside managed sections never change, but Python reads indentation as
 * structure: removing or adding a line can turn an indented header that follows into part of a
 * value. Such an edit must be refused.
 */
export function disturbedSection(
  before: IniDocument,
  after: IniDocument,
  managed: ReadonlySet<string>,
): number | undefined {
  const was = before.sections.filter((section) => !managed.has(section.name));
  const now = after.sections.filter((section) => !managed.has(section.name));
  // A header that is no longer one is the cause; a section reading differently, the symptom.
  const vanished = was.findIndex((section, i) => section.name !== now[i]?.name);
  if (vanished !== -1) return was[vanished]!.header + 1;
  const changed = was.findIndex((section, i) => !readsAlike(before, section, after, now[i]!));
  return changed === -1 ? undefined : was[changed]!.header + 1;
}

function readsAlike(a: IniDocument, x: IniSection, b: IniDocument, y: IniSection): boolean {
  if (x.end - x.header !== y.end - y.header) return false;
  for (let i = 1; i < x.end - x.header; i++) {
    const one = a.lines[x.header + i]!;
    const two = b.lines[y.header + i]!;
    if (one.kind !== two.kind || one.name !== two.name) return false;
  }
  return true;
}

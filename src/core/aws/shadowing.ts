/**
 * Settings that make a managed profile's keys unreachable or mixed. Readers take a profile's
 * keys from both files (botocore merges every key of the credentials-file section into the
 * profile), and other credential sources in the same profile change which keys are used
 * (aws-conventions.md §1.5).
 */
import { findSection, type IniDocument } from './ini-document.js';
import { KEY_MATERIAL } from './managed-sections.js';

export type ShadowingKind =
  'credential-process' | 'assume-role' | 'web-identity' | 'sso' | 'static-keys';

export interface ShadowingFinding {
  readonly kind: ShadowingKind;
  readonly file: string;
  /** 1-based line of the key. */
  readonly line: number;
  readonly section: string;
  readonly key: string;
  readonly message: string;
}

const CONSEQUENCE: Record<ShadowingKind, string> = {
  'credential-process':
    'a second credential source: the managed keys take precedence in every SDK, so it never runs',
  'assume-role':
    'part of an assume-role setup, which botocore, the AWS CLI and the JS and Go SDKs use instead of the managed keys',
  'web-identity': 'botocore and the AWS CLI use web identity instead of the managed keys',
  sso: 'botocore and the AWS CLI use SSO instead of the managed keys',
  'static-keys':
    'the JS and Go SDKs merge it key by key with the managed keys, which can pair keys from different sets',
};

function kindOf(key: string, inConfigFile: boolean): ShadowingKind | undefined {
  if (key === 'credential_process') return 'credential-process';
  if (key === 'role_arn' || key === 'source_profile' || key === 'credential_source') {
    return 'assume-role';
  }
  if (key === 'web_identity_token_file') return 'web-identity';
  if (key.startsWith('sso_')) return 'sso';
  if (inConfigFile && (KEY_MATERIAL as readonly string[]).includes(key)) return 'static-keys';
  return undefined;
}

/** Findings for one section of one file; key material is expected in the credentials file only. */
export function findShadowing(
  doc: IniDocument,
  file: string,
  section: string,
  inConfigFile: boolean,
): ShadowingFinding[] {
  const found = findSection(doc, section);
  if (found === undefined) return [];
  const findings: ShadowingFinding[] = [];
  for (let i = found.header + 1; i < found.end; i++) {
    const line = doc.lines[i]!;
    const kind = line.kind === 'option' ? kindOf(line.name, inConfigFile) : undefined;
    if (kind === undefined) continue;
    findings.push({
      kind,
      file,
      line: i + 1,
      section,
      key: line.name,
      message: `${file}:${i + 1}: [${section}] has ${line.name}: ${CONSEQUENCE[kind]}`,
    });
  }
  return findings;
}

/**
 * Settings that make a managed profile's credentials unreachable or mixed. Readers take a
 * profile's keys from both files (botocore merges every key of the credentials-file section into
 * the profile), and other credential sources in the same profile change which credentials are
 * used (docs/credentials-file.md, "Shadowing", lists them).
 */
import { findSection, type IniDocument } from './ini-document.js';
import { KEY_MATERIAL, type DeliveryMode } from './managed-sections.js';

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

const CONSEQUENCE: Record<DeliveryMode, Record<ShadowingKind, string>> = {
  file: {
    'credential-process':
      'a second credential source: the managed keys take precedence in every SDK, so it never runs',
    'assume-role':
      'part of an assume-role setup, which botocore, the AWS CLI and the JS and Go SDKs use instead of the managed keys',
    'web-identity': 'botocore and the AWS CLI use web identity instead of the managed keys',
    sso: 'botocore and the AWS CLI use SSO instead of the managed keys',
    'static-keys':
      'the JS and Go SDKs merge it key by key with the managed keys, which can pair keys from different sets',
  },
  process: {
    'credential-process':
      'botocore, the AWS CLI and the JS SDK let the credentials file override the config file, so they run this command instead of the managed one',
    'assume-role':
      'part of an assume-role setup, which botocore, the AWS CLI and the JS and Go SDKs use instead of the managed credential_process',
    'web-identity':
      'botocore, the AWS CLI and the JS and Go SDKs use web identity instead of the managed credential_process',
    sso: 'botocore, the AWS CLI and the Go SDK use SSO instead of the managed credential_process',
    'static-keys':
      'static keys in the credentials file take precedence over credential_process in every SDK, so the managed command never runs',
  },
};

/** botocore tries credential_process before the config file's static keys; JS and Go do not. */
const CONFIG_KEYS_BEFORE_PROCESS =
  'the JS and Go SDKs use these static keys instead of the managed credential_process';

function kindOf(key: string, inConfigFile: boolean, mode: DeliveryMode): ShadowingKind | undefined {
  if (key === 'credential_process') {
    // In process mode the config file's command is the managed one.
    return mode === 'process' && inConfigFile ? undefined : 'credential-process';
  }
  if (key === 'role_arn' || key === 'source_profile' || key === 'credential_source') {
    return 'assume-role';
  }
  if (key === 'web_identity_token_file') return 'web-identity';
  if (key.startsWith('sso_')) return 'sso';
  const keyMaterialIsForeign = inConfigFile || mode === 'process';
  if (keyMaterialIsForeign && (KEY_MATERIAL as readonly string[]).includes(key)) {
    return 'static-keys';
  }
  return undefined;
}

function consequence(kind: ShadowingKind, inConfigFile: boolean, mode: DeliveryMode): string {
  if (mode === 'process' && kind === 'static-keys' && inConfigFile) {
    return CONFIG_KEYS_BEFORE_PROCESS;
  }
  return CONSEQUENCE[mode][kind];
}

/**
 * Findings for one section of one file. A `file` profile's key material belongs in the
 * credentials file; a `process` profile has none anywhere, and its own `credential_process` is
 * in the config file.
 */
export function findShadowing(
  doc: IniDocument,
  file: string,
  section: string,
  inConfigFile: boolean,
  mode: DeliveryMode = 'file',
): ShadowingFinding[] {
  const found = findSection(doc, section);
  if (found === undefined) return [];
  const findings: ShadowingFinding[] = [];
  for (let i = found.header + 1; i < found.end; i++) {
    const line = doc.lines[i]!;
    const kind = line.kind === 'option' ? kindOf(line.name, inConfigFile, mode) : undefined;
    if (kind === undefined) continue;
    findings.push({
      kind,
      file,
      line: i + 1,
      section,
      key: line.name,
      message: `${file}:${i + 1}: [${section}] has ${line.name}: ${consequence(kind, inConfigFile, mode)}`,
    });
  }
  return findings;
}

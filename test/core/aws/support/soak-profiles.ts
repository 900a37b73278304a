/** Deterministic credentials for the soak tests, shared by the parent and the writer children. */
import type { SessionCredentials } from '../../../../src/core/aws/managed-sections.js';

export function credentialsFor(tag: string, round: number): SessionCredentials {
  const n = String(round).padStart(6, '0');
  return {
    accessKeyId: `AKIA${tag.toUpperCase()}${n}`,
    secretAccessKey: `secret/${tag}+${n}`,
    // A token of realistic length (STS tokens run to several hundred characters).
    sessionToken: `IQoJb3JpZ2luX2Vj${n}${'Zm9vYmFy'.repeat(60)}==`,
    expiresAt: new Date(Date.UTC(2030, 0, 1) + round * 1000),
  };
}

/** The unrelated profiles a soak file starts with; every write must keep them byte for byte. */
export function keptProfiles(count: number): string {
  return Array.from(
    { length: count },
    (_, i) =>
      `# team profile ${i}\n[keep${i}]\naws_access_key_id = AKIAKEEP${i}\naws_secret_access_key = keep/${i}\n`,
  ).join('\n');
}

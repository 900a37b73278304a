import { vaultNameProblem, vaultPathProblem } from '../../shared/fields.js';

/** A profile's binding that AWS or the app would refuse anyway: said before asking Vault. */
export class BindingError extends Error {
  override readonly name = 'BindingError';
}

/**
 * The path of a request under a mount, from checked segments: the mount (which may be nested)
 * and one name per further segment (`creds`, a role), each percent-encoded. A segment that is
 * `.` or `..`, or holds `/`, `?`, `#` or `%`, is refused (src/shared/fields.ts): a URL would
 * resolve it to another path than the one the user was shown, with the user's token.
 */
export function vaultPath(mount: string, ...names: string[]): string {
  const problem =
    vaultPathProblem(mount, `The mount ${JSON.stringify(mount)}`) ??
    names.map((name) => vaultNameProblem(name, `${JSON.stringify(name)}`)).find(Boolean);
  if (problem) throw new BindingError(problem);
  return [...mount.split('/'), ...names].map(encodeURIComponent).join('/');
}

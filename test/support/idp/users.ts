export interface IdpUser {
  sub: string;
  email: string;
  password: string;
  name: string;
  groups: string[];
}

export const DEFAULT_USERS: IdpUser[] = [
  {
    sub: 'alice',
    email: 'alice@example.com',
    password: 'alice-password',
    name: 'Alice Example',
    groups: ['engineering', 'aws-dev'],
  },
  {
    sub: 'bob',
    email: 'bob@example.com',
    password: 'bob-password',
    name: 'Bob Example',
    groups: ['contractors'],
  },
];

/** The user whose email (case-insensitive, like real IdPs) and password both match, if any. */
export function authenticate(
  users: readonly IdpUser[],
  email: string,
  password: string,
): IdpUser | undefined {
  const wanted = email.trim().toLowerCase();
  return users.find((u) => u.email.toLowerCase() === wanted && u.password === password);
}

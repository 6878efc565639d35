import { dictionary } from '@zxcvbn-ts/language-common';

/**
 * OWASP ASVS 5.0 V6 password rules: at least 8 characters (6.2.1), at least 64 allowed
 * (6.2.9; we allow 128 so a passphrase is never cut, and stop there because the hash cost
 * grows with the input), checked exactly as typed (6.2.5: no trimming, no Unicode
 * normalisation, no truncation), no composition rules (6.2.5), and refused when on a list
 * of common or breached passwords (6.2.4, 6.2.11-12).
 *
 * The list: the 49,233 passwords of zxcvbn-ts's `passwords-common` dictionary
 * (@zxcvbn-ts/language-common 4.x, MIT), built from public breach corpora ranked by
 * frequency; it ships with the package, so no network at run time. Compared case-insensitively,
 * because "Password1" is as guessable as "password1".
 */
export const MIN_PASSWORD_LENGTH = 8;
export const MAX_PASSWORD_LENGTH = 128;

export type PasswordProblem = 'not_a_string' | 'too_short' | 'too_long' | 'common_password' | 'contains_username';

export interface PasswordCheck {
  ok: boolean;
  problem?: PasswordProblem;
  /** A sentence to show the person choosing the password; never echoes it. */
  message?: string;
}

let common: Set<string> | undefined;
function commonPasswords(): Set<string> {
  common ??= new Set((dictionary['passwords-common'] as string[]).map((p) => p.toLowerCase()));
  return common;
}

/** Length in Unicode code points, as a person counts characters (ASVS counts characters, not bytes). */
function characters(password: string): number {
  return [...password].length;
}

export function checkPassword(password: unknown, username?: string): PasswordCheck {
  if (typeof password !== 'string') return { ok: false, problem: 'not_a_string', message: 'password: must be a string' };
  const length = characters(password);
  if (length < MIN_PASSWORD_LENGTH) return { ok: false, problem: 'too_short', message: `password: must be at least ${MIN_PASSWORD_LENGTH} characters (got ${length})` };
  if (length > MAX_PASSWORD_LENGTH) return { ok: false, problem: 'too_long', message: `password: must be at most ${MAX_PASSWORD_LENGTH} characters (got ${length})` };
  if (commonPasswords().has(password.toLowerCase())) {
    return { ok: false, problem: 'common_password', message: 'password: is on a list of common or breached passwords; choose another' };
  }
  if (username && username.length >= 3 && password.toLowerCase().includes(username.toLowerCase())) {
    return { ok: false, problem: 'contains_username', message: 'password: must not contain the username' };
  }
  return { ok: true };
}

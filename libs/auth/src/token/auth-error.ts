/**
 * Why a bearer token was refused. Stable codes: clients, logs, audit events and tests
 * match on them; messages are for people and never contain the token or a key.
 */
export const AUTH_ERROR_CODES = [
  'MISSING_TOKEN',
  'MALFORMED',
  'ALG_NOT_ALLOWED',
  'UNKNOWN_KEY',
  'BAD_SIGNATURE',
  'TOKEN_EXPIRED',
  'TOKEN_NOT_YET_VALID',
  'WRONG_ISSUER',
  'WRONG_AUDIENCE',
  'MISSING_CLAIM',
  'KEYS_UNAVAILABLE',
  // The gateway: the token is valid but its login session has ended (logout, disable, revocation).
  'SESSION_REVOKED',
] as const;
export type AuthErrorCode = (typeof AUTH_ERROR_CODES)[number];

export class AuthError extends Error {
  override readonly name = 'AuthError';

  constructor(
    readonly code: AuthErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const isAuthError = (error: unknown): error is AuthError => error instanceof AuthError;

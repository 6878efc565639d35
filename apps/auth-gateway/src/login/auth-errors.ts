import { HttpException, HttpStatus } from '@nestjs/common';

/** The one answer to every failed login, whether or not the user exists (no enumeration). */
export const invalidCredentials = () => new HttpException({ error: 'invalid_credentials', message: 'username or password is wrong' }, HttpStatus.UNAUTHORIZED);

export const invalidCode = () => new HttpException({ error: 'invalid_code', message: 'the code is wrong, expired or already used' }, HttpStatus.UNAUTHORIZED);

export const invalidChallenge = () =>
  new HttpException({ error: 'invalid_challenge', message: 'the MFA challenge is unknown or expired: log in again' }, HttpStatus.UNAUTHORIZED);

export const invalidGrant = (message = 'the refresh token is unknown, expired or revoked: log in again') => new HttpException({ error: 'invalid_grant', message }, HttpStatus.UNAUTHORIZED);

export const invalidClient = () => new HttpException({ error: 'invalid_client', message: 'client id or secret is wrong' }, HttpStatus.UNAUTHORIZED);

export class TooManyAttempts extends HttpException {
  constructor(readonly retryAfterSec: number) {
    super({ error: 'too_many_attempts', message: 'too many failed attempts: try again later', retryAfterSec }, HttpStatus.TOO_MANY_REQUESTS);
  }
}

export const badRequest = (message: string) => new HttpException({ error: 'bad_request', message }, HttpStatus.BAD_REQUEST);

/** A field that must be a non-empty string of at most `max` characters; the message names the field, never its value. */
export function stringField(body: unknown, field: string, max: number): string {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>)[field] : undefined;
  if (typeof value !== 'string' || value.length === 0 || value.length > max) throw badRequest(`${field}: must be a non-empty string of at most ${max} characters`);
  return value;
}

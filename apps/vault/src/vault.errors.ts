import { HttpException, HttpStatus } from '@nestjs/common';

/**
 * A vault failure as the API answers it: `{ error, message, ... }` with its status.
 * Messages name paths, key names and versions, never a value or key material.
 */
export class VaultError extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    extra: Record<string, unknown> = {},
  ) {
    super({ error: code, message, ...extra }, status);
    this.name = 'VaultError';
  }
}

/** No master key, or a wrong one, or an unreadable keyring: every operation answers 503 with the reason. */
export const sealedError = (reason: string) => new VaultError(HttpStatus.SERVICE_UNAVAILABLE, 'sealed', `the vault is sealed: ${reason}`, { reason });

export const auditUnavailable = () =>
  new VaultError(HttpStatus.SERVICE_UNAVAILABLE, 'audit_unavailable', 'the operation could not be audited, so it was refused (fail closed); retry later');

export const notFound = (what: string) => new VaultError(HttpStatus.NOT_FOUND, 'not_found', `${what} does not exist`);

export const badRequest = (field: string, problem: string) => new VaultError(HttpStatus.BAD_REQUEST, 'invalid_request', `${field}: ${problem}`, { field });

export const conflict = (code: string, message: string, extra: Record<string, unknown> = {}) => new VaultError(HttpStatus.CONFLICT, code, message, extra);

/** Stored ciphertext failed authentication: tampered or moved rows. Says which row, never what it held. */
export const integrityFailure = (what: string) =>
  new VaultError(
    HttpStatus.INTERNAL_SERVER_ERROR,
    'integrity_failure',
    `${what} failed authentication: its stored ciphertext was modified or moved from another row; restore it from a backup`,
  );

/** A lease that expired or was revoked: the holder must read the secret again. */
export const leaseGone = (code: 'lease_expired' | 'lease_revoked', message: string) => new VaultError(HttpStatus.GONE, code, message);

/**
 * What went wrong, as a service needs to decide what to do: `sealed`, `audit_unavailable`
 * and `unreachable` are worth retrying; `denied`, `not_found` are configuration mistakes
 * (the service asks for a path its identity may not read, or one nobody wrote).
 */
export type VaultErrorCode =
  | 'sealed'
  | 'audit_unavailable'
  | 'unreachable'
  | 'denied'
  | 'not_found'
  | 'lease_expired'
  | 'lease_revoked'
  | 'invalid_request'
  | 'conflict'
  | 'integrity_failure'
  | 'server_error'
  | 'missing_field';

const RETRYABLE: ReadonlySet<VaultErrorCode> = new Set(['sealed', 'audit_unavailable', 'unreachable', 'server_error']);

/** A vault failure. Messages name the path or key and the vault's reason, never a value. */
export class VaultClientError extends Error {
  constructor(
    readonly code: VaultErrorCode,
    message: string,
    /** The secret path or `transit-key:<name>` the call was about. */
    readonly subject?: string,
    /** The HTTP status, when the vault answered. */
    readonly status?: number,
    /** The vault's own error code (`step_up_required`, `deleted`, `cas_mismatch`...). */
    readonly vaultCode?: string,
  ) {
    super(message);
    this.name = 'VaultClientError';
  }

  get retryable(): boolean {
    return RETRYABLE.has(this.code);
  }
}

/** The client's code for an answer of the vault (`{ error, message }` bodies). */
export function classify(status: number, vaultCode: string | undefined): VaultErrorCode {
  if (vaultCode === 'sealed') return 'sealed';
  if (vaultCode === 'audit_unavailable') return 'audit_unavailable';
  if (vaultCode === 'lease_expired') return 'lease_expired';
  if (vaultCode === 'lease_revoked') return 'lease_revoked';
  if (vaultCode === 'integrity_failure') return 'integrity_failure';
  if (status === 401 || status === 403) return 'denied';
  if (status === 404) return 'not_found';
  if (status === 409) return 'conflict';
  if (status === 400) return 'invalid_request';
  return status === 503 || status === 502 || status === 504 ? 'unreachable' : 'server_error';
}

/** Thrown by loadSecrets when the service cannot start: names every secret it could not get. */
export class MissingSecretsError extends Error {
  constructor(readonly failures: ReadonlyArray<{ name: string; path: string; error: VaultClientError }>) {
    super(
      `cannot start without ${failures.length === 1 ? 'its secret' : `${failures.length} secrets`}: ` +
        failures.map((f) => `${f.path} (${f.name}): ${f.error.code}: ${f.error.message}`).join('; '),
    );
    this.name = 'MissingSecretsError';
  }
}

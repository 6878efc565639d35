import { ContractViolation } from '@vigil/contracts';

/**
 * Why a consumed message could not become a valid event. Every kind is permanent: the
 * same bytes fail the same way on every retry, so the message goes to the dead-letter
 * topic instead of blocking its partition. (A registry that cannot be reached is not a
 * DecodeError: that is transient and the batch is retried.)
 */
export type DecodeErrorKind =
  /** Not UTF-8 JSON (or empty). */
  | 'bad-json'
  /** Starts with the Avro magic byte but the frame or the Avro body is broken. */
  | 'bad-avro-frame'
  /** A well-formed frame whose schema id the registry does not know. */
  | 'unknown-schema-id'
  /** Decoded fine but breaks the topic's contract. */
  | 'contract-violation';

export class DecodeError extends Error {
  constructor(
    readonly kind: DecodeErrorKind,
    readonly topic: string,
    detail: string,
    readonly extra: { field?: string; schemaId?: number; cause?: unknown } = {},
  ) {
    super(`${kind}: ${detail}`, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'DecodeError';
  }

  /** The violated field, for contract violations (dotted path or `(root)`). */
  get field(): string | undefined {
    return this.extra.field;
  }

  /** The schema id named in the frame, for Avro errors. */
  get schemaId(): number | undefined {
    return this.extra.schemaId;
  }

  static fromViolation(topic: string, violation: ContractViolation): DecodeError {
    return new DecodeError('contract-violation', topic, violation.message, {
      field: violation.field,
      cause: violation,
    });
  }
}

/** The registry could not be asked (down, timeout, 5xx): retry the batch, never dead-letter. */
export class SchemaRegistryUnavailable extends Error {
  constructor(detail: string, cause?: unknown) {
    super(`schema registry unavailable: ${detail}`, cause === undefined ? undefined : { cause });
    this.name = 'SchemaRegistryUnavailable';
  }
}

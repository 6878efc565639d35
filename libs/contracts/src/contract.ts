/**
 * A topic's wire contract: the one place that says what a message on it looks like.
 * Producers validate before they send; consumers validate after they decode, and a
 * message that fails goes to the dead-letter topic with the violation as its reason.
 */
export interface Contract<T> {
  /** Base topic name without any environment prefix, e.g. `market.orders.v1`. */
  readonly topic: string;
  /** The message key CONTRACTS.md names for this topic (e.g. the instrument). */
  keyOf(value: T): string;
  /** Validates untrusted input; throws ContractViolation naming the first bad field. */
  parse(input: unknown): T;
  /** The Avro schema (avsc / Avro JSON form) registered under `<topic>-value`. */
  readonly avroSchema: AvroRecordSchema;
  /** Maps a valid value to the shape the Avro schema encodes (e.g. free-form objects as JSON strings). */
  toAvro(value: T): Record<string, unknown>;
  /** Inverse of toAvro; the result still goes through parse(). */
  fromAvro(record: Record<string, unknown>): unknown;
}

export interface AvroRecordSchema {
  type: 'record';
  name: string;
  namespace?: string;
  doc?: string;
  fields: ReadonlyArray<{ name: string; type: unknown; default?: unknown; doc?: string }>;
}

/** A message broke its topic's contract. `field` is a dotted path (`evidence.orderIds.0`), or `(root)`. */
export class ContractViolation extends Error {
  constructor(
    readonly topic: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${topic}: field "${field}" ${problem}`);
    this.name = 'ContractViolation';
  }
}

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

/** One broken rule: a dotted field path and what is wrong with it (never the value itself). */
export interface FieldProblem {
  readonly field: string;
  readonly problem: string;
}

/**
 * A message broke its topic's contract. `field` is a dotted path (`evidence.orderIds.0`), or `(root)`.
 * `others` lists further broken fields of the same message, so one dead letter shows them all.
 */
export class ContractViolation extends Error {
  constructor(
    readonly topic: string,
    readonly field: string,
    readonly problem: string,
    readonly others: readonly FieldProblem[] = [],
  ) {
    super(`${topic}: field "${field}" ${problem}${othersSuffix(others)}`);
    this.name = 'ContractViolation';
  }
}

const MAX_LISTED_OTHERS = 5;

function othersSuffix(others: readonly FieldProblem[]): string {
  if (others.length === 0) return '';
  const listed = others.slice(0, MAX_LISTED_OTHERS).map((o) => o.field);
  const rest = others.length > MAX_LISTED_OTHERS ? ', ...' : '';
  return ` (+${others.length} more: ${listed.join(', ')}${rest})`;
}

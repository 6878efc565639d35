import type { z } from 'zod';
import { type AvroRecordSchema, type Contract, ContractViolation, type FieldProblem } from '../contract';
import { describeIssue } from './describe-issue';

export interface ContractSpec<T> {
  readonly topic: string;
  /** Validates and normalises; its output is the typed value consumers get. */
  readonly schema: z.ZodType<T>;
  readonly keyOf: (value: T) => string;
  readonly avroSchema: AvroRecordSchema;
  readonly toAvro: (value: T) => Record<string, unknown>;
  readonly fromAvro: (record: Record<string, unknown>) => unknown;
  /**
   * Optional hand-written check for the common shape of valid messages, which zod takes
   * microseconds per message over: the value exactly as `schema` (and parse) would return it,
   * or undefined whenever the input is not certainly valid, so that `schema` decides and
   * words every problem. Never accepts what `schema` rejects (see the topic's fast-parse spec).
   */
  readonly fastParse?: (input: unknown) => T | undefined;
}

/** Builds a Contract whose parse throws ContractViolation for the first bad field (others listed). */
export function defineContract<T>(spec: ContractSpec<T>): Contract<T> {
  const { topic, schema, keyOf, avroSchema, toAvro, fromAvro, fastParse } = spec;
  const parseWithSchema = (input: unknown): T => {
    const result = schema.safeParse(input);
    if (result.success) return dropUndefinedFields(result.data);
    const [first, ...others] = distinctFields(result.error.issues.map((issue) => describeIssue(issue, input)));
    throw new ContractViolation(topic, first.field, first.problem, others);
  };
  return {
    topic,
    avroSchema,
    keyOf,
    toAvro,
    fromAvro,
    parse: fastParse ? (input: unknown): T => fastParse(input) ?? parseWithSchema(input) : parseWithSchema,
  };
}

// One problem per field: a field that breaks two checks is reported once, by the first.
function distinctFields(problems: FieldProblem[]): [FieldProblem, ...FieldProblem[]] {
  const seen = new Set<string>();
  const distinct = problems.filter((p) => !seen.has(p.field) && seen.add(p.field));
  return distinct as [FieldProblem, ...FieldProblem[]];
}

// An optional field sent as null comes out of zod as a key holding undefined; the typed value
// should simply not have the key. Zod's output objects are fresh copies, so this edits no input.
function dropUndefinedFields<T>(value: T): T {
  if (Array.isArray(value)) {
    value.forEach(dropUndefinedFields);
  } else if (value !== null && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) {
      if (object[key] === undefined) delete object[key];
      else dropUndefinedFields(object[key]);
    }
  }
  return value;
}

/**
 * Small builders for the Avro schemas and the value mapping around them. Optional contract
 * fields are Avro unions `["null", T]` with default null, so a reader with a newer schema
 * (one more optional field) still reads older records: the only evolution CONTRACTS.md allows.
 */
export interface AvroField {
  name: string;
  type: unknown;
  default?: unknown;
  doc?: string;
}

export function required(name: string, type: unknown, doc?: string): AvroField {
  return doc === undefined ? { name, type } : { name, type, doc };
}

export function optional(name: string, type: unknown, doc?: string): AvroField {
  const field: AvroField = { name, type: ['null', type], default: null };
  if (doc !== undefined) field.doc = doc;
  return field;
}

export function avroEnum(name: string, symbols: readonly string[], doc?: string) {
  return doc === undefined ? { type: 'enum', name, symbols: [...symbols] } : { type: 'enum', name, symbols: [...symbols], doc };
}

/**
 * The fields of `value` named in `fields`, with absent ones as null (what an Avro
 * `["null", T]` union expects). Fields not in the schema are left out.
 */
export function pickForAvro(value: object, fields: readonly AvroField[]): Record<string, unknown> {
  const source = value as Record<string, unknown>;
  const record: Record<string, unknown> = {};
  for (const { name } of fields) record[name] = source[name] ?? null;
  return record;
}

/** Shallow copy without null fields: a decoded Avro record back in the JSON shape. */
export function withoutNulls(record: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).filter(([, value]) => value !== null));
}

/**
 * Parses a field the Avro schema carries as JSON text. Text that is not JSON is returned as it
 * is, so parse() then reports the field as "must be an object (got string)".
 */
export function parseJsonField(text: unknown): unknown {
  if (typeof text !== 'string') return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

/**
 * How a bad value is described in an error: its kind, never its content, so that a
 * violation can be logged and put in a dead-letter header without leaking data.
 */
export function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? 'Infinity' : '-Infinity';
    return 'number';
  }
  if (typeof value === 'object') {
    const proto = Object.getPrototypeOf(value) as object | null;
    if (proto === null || proto === Object.prototype) return 'object';
    return proto.constructor?.name ? `${proto.constructor.name} object` : 'object';
  }
  return typeof value;
}

const SHOWABLE = /^[A-Za-z0-9_.:-]{1,32}$/;

/**
 * For enum mismatches the value itself helps (`got "NEWW"`), and an identifier-like short string
 * cannot be a secret worth hiding; anything else is shown by kind only.
 */
export function shortValueOrKind(value: unknown): string {
  if (typeof value === 'string' && SHOWABLE.test(value)) return JSON.stringify(value);
  return kindOf(value);
}

/** The value at a dotted path inside the original input (undefined when it is absent). */
export function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    if (!Object.prototype.hasOwnProperty.call(current, key)) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

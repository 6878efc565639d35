/**
 * For the fast-parse specs (not exported from the package): a seeded random source, the odd
 * values a field is swapped for, and the comparison of a fast parse with the schema's parse.
 */

/** mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }

  /** A non-blank string of `length` characters (mostly ASCII, some spaces and non-ASCII, a leading space now and then). */
  text(length = this.int(1, 24)): string {
    const alphabet = 'abcXYZ019-_.:/ é€中\u00a0';
    let out = '';
    for (let i = 0; i < length; i++) out += this.pick([...alphabet]);
    if (out.trim().length === 0) out = `${out.slice(1)}x`;
    return out;
  }

  /** A valid RFC 3339 timestamp: 0-9 fractional digits, any year, `Z` or (when allowed) an offset. */
  timestamp(withOffset = false): string {
    const year = this.chance(0.8) ? this.int(1970, 2100) : this.int(0, 9999);
    const month = this.int(1, 12);
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    const lastDay = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
    const day = this.chance(0.2) ? lastDay : this.int(1, lastDay);
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    const fraction = this.chance(0.3) ? '' : `.${Array.from({ length: this.int(1, 9) }, () => this.int(0, 9)).join('')}`;
    const offset = withOffset && this.chance(0.3) ? `${this.pick(['+', '-'])}${pad(this.int(0, 23))}:${pad(this.int(0, 59))}` : 'Z';
    return `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(this.int(0, 23))}:${pad(this.int(0, 59))}:${pad(this.int(0, 59))}${fraction}${offset}`;
  }

  /** A finite number > 0: whole, fractional, tiny or huge. */
  positive(): number {
    return this.pick([() => this.int(1, 10_000), () => this.int(1, 1_000_000) / 100, () => Number.MIN_VALUE, () => 1e300, () => 0.1 + 0.2])();
  }
}

/** Values a field gets swapped for: wrong types, empty or blank text, non-finite and non-positive numbers. */
export const ODD_FIELD_VALUES: readonly unknown[] = [
  null, undefined, '', ' ', '\t\n', '\u00a0', '\ufeff', '\u2003x', ' x', 'x'.repeat(128), 'x'.repeat(129), ' '.repeat(200), '12.5',
  0, -0, -1, -1e-300, 1e-300, 1.5, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.MAX_VALUE, 2 ** 63,
  true, false, [], ['x'], [''], {}, { a: 1 }, new Date(0), new Map(), 1n, Symbol('s'), () => 'x', new String('x'), new Number(1),
];

/** Timestamps around the rules: shapes, calendar, ranges, offsets, precision. */
export const ODD_TIMESTAMPS: readonly string[] = [
  '2026-03-02T14:30:00Z', '2026-03-02T14:30:00.1Z', '2026-03-02T14:30:00.123456789Z', '2026-03-02T14:30:00.1234567890Z',
  '2026-03-02T14:30:00.Z', '2026-03-02T14:30:00z', '2026-03-02t14:30:00Z', '2026-03-02 14:30:00Z', '2026-03-02T14:30Z',
  '2026-03-02T14:30:00', '2026-03-02T14:30:00+00:00', '2026-03-02T14:30:00-05:30', '2026-03-02T14:30:00+24:00',
  '2026-03-02T14:30:00+23:60', '2026-03-02T14:30:00+2:00', '2026-03-02T14:30:00+0200', '2026-03-02T14:30:00.5+01:00',
  '2026-02-29T00:00:00Z', '2024-02-29T00:00:00Z', '1900-02-29T00:00:00Z', '2000-02-29T00:00:00Z', '0000-02-29T00:00:00Z',
  '2026-04-31T00:00:00Z', '2026-13-01T00:00:00Z', '2026-00-01T00:00:00Z', '2026-01-00T00:00:00Z', '2026-01-32T00:00:00Z',
  '2026-03-02T24:00:00Z', '2026-03-02T23:60:00Z', '2026-03-02T23:59:60Z', '9999-12-31T23:59:59.999999999Z',
  '0000-01-01T00:00:00Z', ' 2026-03-02T14:30:00Z', '2026-03-02T14:30:00Z ', '2026-3-02T14:30:00Z', '+2026-03-02T14:30:00Z',
  '20260302T143000Z', '２０２６-03-02T14:30:00Z', '2026-03-02T14:30:00ZZ', '2026-03-02T14:30:00\u0000Z', '',
];

/** Keys that are properties of every object, or special to assignment. */
export const PROTOTYPE_KEYS: readonly string[] = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf', 'prototype'];

/** Strings the secret guard rejects in free-form details. */
export const SECRET_LIKE_STRINGS: readonly string[] = [
  'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9.c2lnbmF0dXJl',
  'eyJhbGci.eyJzdWIi.',
  '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----',
  'x -----BEGIN RSA PRIVATE KEY-----',
  'Bearer abcdefgh',
  'bearer\t12345678',
  'Bearer short',
];

/**
 * One input through both parses. Returns what is wrong, or undefined when the fast result is
 * undefined, or the schema accepts the input and returns the same tree (same key order, same
 * prototypes, Object.is on leaves) and neither result shares an object with the input.
 */
export function fastParseProblem(fastParse: (input: unknown) => unknown, schemaParse: (input: unknown) => unknown, input: unknown): string | undefined {
  const fast = fastParse(input);
  if (fast === undefined) return undefined;
  let expected: unknown;
  try {
    expected = schemaParse(input);
  } catch (error) {
    return `fast path accepted what the schema rejects: ${(error as Error).message}`;
  }
  const inputObjects = objectsIn(input);
  for (const [name, value] of [['fast', fast], ['schema', expected]] as const) {
    if ([...objectsIn(value)].some((object) => inputObjects.has(object))) return `the ${name} result shares an object with the input`;
  }
  return treeDifference(fast, expected, '(root)');
}

/** Where two values differ (undefined when they are the same tree), see fastParseProblem. */
export function treeDifference(actual: unknown, expected: unknown, path: string): string | undefined {
  if (typeof actual !== 'object' || actual === null || typeof expected !== 'object' || expected === null) {
    return Object.is(actual, expected) ? undefined : `${path}: ${describe(actual)} instead of ${describe(expected)}`;
  }
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${path}: another prototype`;
  const actualKeys = Reflect.ownKeys(actual);
  const expectedKeys = Reflect.ownKeys(expected);
  if (actualKeys.length !== expectedKeys.length || actualKeys.some((key, i) => key !== expectedKeys[i])) {
    return `${path}: keys [${actualKeys.map(String).join(', ')}] instead of [${expectedKeys.map(String).join(', ')}]`;
  }
  for (const key of actualKeys) {
    const a = Object.getOwnPropertyDescriptor(actual, key);
    const e = Object.getOwnPropertyDescriptor(expected, key);
    if (!a || !e) return `${path}.${String(key)}: gone while compared`;
    if (a.enumerable !== e.enumerable || a.writable !== e.writable || a.configurable !== e.configurable) return `${path}.${String(key)}: other property attributes`;
    const difference = treeDifference(a.value, e.value, `${path}.${String(key)}`);
    if (difference) return difference;
  }
  return undefined;
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}...` : value);
  if (typeof value === 'number' && Object.is(value, -0)) return '-0';
  return typeof value === 'symbol' || typeof value === 'bigint' ? String(value) : `${value as string}`;
}

function objectsIn(value: unknown, seen = new Set<object>()): Set<object> {
  if (typeof value === 'object' && value !== null && !seen.has(value)) {
    seen.add(value);
    for (const key of Reflect.ownKeys(value)) {
      const descriptor = Object.getOwnPropertyDescriptor(value, key);
      if (descriptor && 'value' in descriptor) objectsIn(descriptor.value, seen);
    }
  }
  return seen;
}

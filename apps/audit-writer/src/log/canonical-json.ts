/**
 * RFC 8785 JSON Canonicalization Scheme (JCS) for the values a contract's parse() returns:
 * objects, arrays, strings, finite numbers, booleans and null.
 *
 * Written here rather than taken from npm: JCS over plain JSON values is ECMAScript's own
 * JSON.stringify for strings and numbers (the RFC defines its number form as ES Number
 * serialisation and its string escaping as ES JSON.stringify's) plus member names sorted
 * by UTF-16 code units (what Array.prototype.sort does without a comparator) and no
 * whitespace. That is the whole scheme; a dependency would add supply-chain risk to the
 * one encoding we promise never to change. Unlike JSON.stringify we refuse instead of
 * silently dropping or nulling values (undefined, NaN, functions, bigints, lone
 * surrogates), so a value that cannot be canonicalised never reaches the log.
 *
 * It runs once per appended entry, so it is written for speed (the writer's hottest code):
 * one string built by concatenation, member names quoted once and remembered, the sorted
 * member names of each object shape remembered, short strings that need no escape quoted
 * without JSON.stringify, and String#isWellFormed instead of a regular expression for the
 * surrogate check.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, []);
}

/** JSON.stringify of a string, refusing lone surrogates (`path` only names it in the error). */
export function canonicalString(value: string, path: ReadonlyArray<string | number> = []): string {
  if (value.length <= PLAIN_SCAN_MAX && isPlain(value)) return `"${value}"`;
  if (!value.isWellFormed()) throw new TypeError(`canonical JSON: ${where(path)} holds a lone UTF-16 surrogate; JCS needs well-formed Unicode`);
  return JSON.stringify(value);
}

// JSON.stringify writes a string as it is, in quotes, unless it holds a control character, a
// quote, a backslash or a lone surrogate. Scanning for those (any surrogate, to keep it simple)
// beats JSON.stringify's call for short strings, most of an event's; longer ones scan slower.
const PLAIN_SCAN_MAX = 32;

function isPlain(value: string): boolean {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return false;
  }
  return true;
}

// Contract values reuse a small set of member names; quoting each once saves a JSON.stringify
// per member. Bounded so that free-form maps with ever-new keys cannot grow it without end.
const quotedNames = new Map<string, string>();
const QUOTED_NAMES_MAX = 4096;

function quotedName(name: string, path: ReadonlyArray<string | number>): string {
  let quoted = quotedNames.get(name);
  if (quoted === undefined) {
    quoted = canonicalString(name, path);
    if (quotedNames.size < QUOTED_NAMES_MAX) quotedNames.set(name, quoted);
  }
  return quoted;
}

// Contract values come in a few shapes (an event, its actor, ...): objects with the same member
// names in the same order. Each slot keeps one such list and its sorted copy, so an object of
// a shape seen before reuses the sort. Slots are picked by a cheap hash and overwritten on a
// collision; a hit needs every name equal, so a wrong order can never be returned.
const SORTED_SLOTS = 64;
const slotNames: Array<readonly string[] | undefined> = new Array(SORTED_SLOTS);
const slotSorted: Array<readonly string[] | undefined> = new Array(SORTED_SLOTS);

function sortedNames(record: object): readonly string[] {
  const names = Object.keys(record);
  const n = names.length;
  if (n < 2) return names;
  const first = names[0] as string;
  const last = names[n - 1] as string;
  const slot = (n * 31 + first.length * 7 + last.length + first.charCodeAt(0)) & (SORTED_SLOTS - 1);
  const cached = slotNames[slot];
  if (cached !== undefined && cached.length === n) {
    let i = 0;
    while (i < n && cached[i] === names[i]) i++;
    if (i === n) return slotSorted[slot] as readonly string[];
  }
  const sorted = names.slice().sort();
  slotNames[slot] = names;
  slotSorted[slot] = sorted;
  return sorted;
}

// `path` is a stack of member names and indices, joined only for an error message: building a
// path string for every value would cost more than the encoding itself.
function encode(value: unknown, path: Array<string | number>): string {
  switch (typeof value) {
    case 'string':
      return canonicalString(value, path);
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${where(path)} is ${value}; only finite numbers have a JSON form`);
      return JSON.stringify(value);
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object': {
      if (value === null) return 'null';
      if (Array.isArray(value)) {
        let out = '[';
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          out += (i === 0 ? '' : ',') + encode(value[i], path);
          path.pop();
        }
        return `${out}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new TypeError(`canonical JSON: ${where(path)} is a ${proto?.constructor?.name ?? 'non-plain object'}, not a plain object`);
      const record = value as Record<string, unknown>;
      const keys = sortedNames(record);
      let out = '{';
      let first = true;
      for (let i = 0; i < keys.length; i++) {
        const key = keys[i]!;
        const member = record[key];
        if (member === undefined) continue;
        path.push(key);
        const encoded = encode(member, path);
        path.pop();
        out += `${first ? '' : ','}${quotedName(key, path)}:${encoded}`;
        first = false;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON: ${where(path)} is a ${typeof value}, which JSON cannot hold`);
  }
}

function where(path: ReadonlyArray<string | number>): string {
  return ['(root)', ...path].join('.');
}

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
 */
export function canonicalJson(value: unknown): string {
  return encode(value, []);
}

// With the u flag a valid surrogate pair is one code point; only a lone surrogate is category Cs.
const LONE_SURROGATE = /\p{Cs}/u;

// `path` is a stack of member names and indices, joined only for an error message: building a
// path string for every value would cost more than the encoding itself.
function encode(value: unknown, path: Array<string | number>): string {
  if (value === null) return 'null';
  switch (typeof value) {
    case 'boolean':
      return value ? 'true' : 'false';
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`canonical JSON: ${where(path)} is ${value}; only finite numbers have a JSON form`);
      return JSON.stringify(value);
    case 'string':
      if (LONE_SURROGATE.test(value)) throw new TypeError(`canonical JSON: ${where(path)} holds a lone UTF-16 surrogate; JCS needs well-formed Unicode`);
      return JSON.stringify(value);
    case 'object': {
      if (Array.isArray(value)) {
        const items: string[] = [];
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          items.push(encode(value[i], path));
          path.pop();
        }
        return `[${items.join(',')}]`;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) throw new TypeError(`canonical JSON: ${where(path)} is a ${proto?.constructor?.name ?? 'non-plain object'}, not a plain object`);
      const record = value as Record<string, unknown>;
      const keys = Object.keys(record).sort();
      let out = '';
      for (const key of keys) {
        const member = record[key];
        if (member === undefined) continue;
        path.push(key);
        const encoded = encode(member, path);
        path.pop();
        out += `${out ? ',' : ''}${encode(key, path)}:${encoded}`;
      }
      return `{${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON: ${where(path)} is a ${typeof value}, which JSON cannot hold`);
  }
}

function where(path: ReadonlyArray<string | number>): string {
  return ['(root)', ...path].join('.');
}

import { canonicalJson, canonicalString } from './canonical-json';

describe('canonicalJson (RFC 8785)', () => {
  it('sorts members by UTF-16 code units and writes no whitespace', () => {
    // RFC 8785 §3.2.3's sorting example.
    const value = { '\u20ac': 'Euro Sign', '\r': 'Carriage Return', '\ufb33': 'Hebrew Letter Dalet With Dagesh', '1': 'One', '\ud83d\ude00': 'Emoji: Grinning Face', '\u0080': 'Control', '\u00f6': 'Latin Small Letter O With Diaeresis' };
    // Read the values in text order: JSON.parse would move the integer-like key "1" first.
    expect([...canonicalJson(value).matchAll(/:"([^"]*)"/g)].map((m) => m[1])).toEqual([
      'Carriage Return', 'One', 'Control', 'Latin Small Letter O With Diaeresis', 'Euro Sign', 'Emoji: Grinning Face', 'Hebrew Letter Dalet With Dagesh',
    ]);
  });

  it('formats numbers as ECMAScript does (RFC 8785 §3.2.2.3 examples)', () => {
    expect(canonicalJson([1e21, 1e-7, 123456789012345680000, 4.5, 0.002, 1e23, -0, 333333333.3333333, 5e-324])).toBe(
      '[1e+21,1e-7,123456789012345680000,4.5,0.002,1e+23,0,333333333.3333333,5e-324]',
    );
  });

  it('reproduces the RFC 8785 §3.2.2 example', () => {
    const input = JSON.parse('{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}');
    expect(canonicalJson(input)).toBe(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('leaves out undefined members (as a parsed contract value has none)', () => {
    expect(canonicalJson({ b: 1, a: undefined })).toBe('{"b":1}');
  });

  it.each<[string, unknown, RegExp]>([
    ['NaN', { price: NaN }, /\(root\)\.price is NaN/],
    ['Infinity', [Infinity], /\(root\)\.0 is Infinity/],
    ['a bigint', { offset: 1n }, /\(root\)\.offset is a bigint/],
    ['a lone surrogate', { s: '\ud800' }, /lone UTF-16 surrogate/],
    ['a Date', { at: new Date(0) }, /is a Date, not a plain object/],
    ['undefined at the root', undefined, /is a undefined/],
  ])('refuses %s, naming where', (_name, value, message) => {
    expect(() => canonicalJson(value)).toThrow(message);
  });

  // The encoder's shortcuts (sorted names remembered per shape, short strings quoted without
  // JSON.stringify) must give the plain definition's bytes: JSON.stringify of a copy whose
  // members are inserted in sorted order, refusing lone surrogates.
  it('gives the bytes of the plain definition for random values, shapes seen again in other orders, and odd strings', () => {
    let seed = 8785;
    const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
    const units = ['a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\u0000', '\u001f', '\u007f', 'é', '€', '\ud83d\ude00', '\ufb33', '\u2028'];
    const text = (max: number) => Array.from({ length: Math.floor(random() * max) }, () => pick(units)).join('');
    const names = ['eventId', 'ts', 'actor', 'details', 'a', 'b', '1', '10', '', '\u20ac', '\r', 'é', '\ud83d\ude00'];
    const value = (depth: number): unknown => {
      const kind = Math.floor(random() * (depth > 0 ? 7 : 5));
      if (kind === 0) return text(random() < 0.8 ? 40 : 80);
      if (kind === 1) return pick([0, -0, 1, -1.5, 1e21, 5e-324, 333333333.3333333, random() * 1e6]);
      if (kind === 2) return random() < 0.5;
      if (kind === 3) return null;
      if (kind === 4) return pick(names);
      if (kind === 5) return Array.from({ length: Math.floor(random() * 4) }, () => value(depth - 1));
      const object: Record<string, unknown> = {};
      for (const name of [...names].sort(() => random() - 0.5).slice(0, Math.floor(random() * 6))) object[name] = value(depth - 1);
      return object;
    };
    const sortedCopy = (v: unknown): unknown => {
      if (Array.isArray(v)) return v.map(sortedCopy);
      if (typeof v !== 'object' || v === null) return v;
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(v).sort()) copy[key] = sortedCopy((v as Record<string, unknown>)[key]);
      return copy;
    };
    // Property order of the copy is insertion order except for integer-like keys, which JS puts
    // first in ascending order: the same as sorting by code units only when no other key sorts
    // before a digit, so the definition is written out by hand for objects.
    const definition = (v: unknown): string => {
      if (Array.isArray(v)) return `[${v.map(definition).join(',')}]`;
      if (typeof v !== 'object' || v === null) return JSON.stringify(v);
      const record = v as Record<string, unknown>;
      return `{${Object.keys(record).sort().map((key) => `${JSON.stringify(key)}:${definition(record[key])}`).join(',')}}`;
    };
    for (let i = 0; i < 3000; i++) {
      const v = value(3);
      expect(canonicalJson(v)).toBe(definition(v));
      expect(canonicalJson(sortedCopy(v))).toBe(definition(v));
    }
    for (let i = 0; i < 3000; i++) {
      const s = text(48);
      expect(canonicalString(s)).toBe(JSON.stringify(s));
    }
    for (const lone of ['\ud800', 'a\udfff', `${'x'.repeat(40)}\ud83d`, '\ude00\ud83d']) expect(() => canonicalString(lone)).toThrow(/lone UTF-16 surrogate/);
  });
});

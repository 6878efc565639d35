import { canonicalJson } from './canonical-json';

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
});

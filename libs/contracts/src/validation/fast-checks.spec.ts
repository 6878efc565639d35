import { z } from 'zod';
import { ODD_FIELD_VALUES, ODD_TIMESTAMPS, Rng } from '../testing/fast-parse-equivalence';
import { isNonNegativeNumber, isPositiveNumber, isRfc3339, isText } from './fast-checks';
import { nonNegativeNumber, positiveNumber, text } from './fields.schema';
import { rfc3339Problem } from './rfc3339';

const accepts = (schema: z.ZodType, value: unknown) => schema.safeParse(value).success;

describe('fast checks', () => {
  it('isRfc3339 answers as rfc3339Problem does, with and without utcOnly', () => {
    const rng = new Rng(3339);
    const noise = '0123456789-:.TZz+ ';
    const candidates = [...ODD_TIMESTAMPS];
    for (let i = 0; i < 50_000; i++) {
      const ts = [...rng.timestamp(rng.chance(0.5))];
      for (let n = rng.int(0, 2); n > 0; n--) ts[rng.int(0, ts.length - 1)] = rng.pick([...noise]);
      if (rng.chance(0.1)) ts.splice(rng.int(0, ts.length), rng.int(0, 2), ...rng.pick([[], ['1'], ['Z'], ['.5']]));
      candidates.push(ts.join(''));
    }
    let valid = 0;
    for (const ts of candidates) {
      for (const utcOnly of [true, false]) {
        const expected = rfc3339Problem(ts, { utcOnly }) === undefined;
        if (isRfc3339(ts, utcOnly) !== expected) throw new Error(`isRfc3339(${JSON.stringify(ts)}, ${utcOnly}) is ${!expected}`);
        if (expected) valid++;
      }
    }
    expect(valid).toBeGreaterThan(20_000);
    for (const odd of ODD_FIELD_VALUES) expect(isRfc3339(odd, false)).toBe(false);
  });

  it('isText accepts only what text() accepts', () => {
    const rng = new Rng(5);
    const values: unknown[] = [...ODD_FIELD_VALUES, '\u2028x', '\ufeff', '\u180e', 'x\u0000', '\u0000'];
    for (let i = 0; i < 2000; i++) values.push([...Array(rng.int(0, 6))].map(() => rng.pick([' ', '\t', '\u00a0', '\u2003', '\u3000', '\ufeff', '\u0085', 'a', '\u0000', '\u007f'])).join(''));
    for (const value of values) {
      for (const maxLength of [undefined, 1, 128]) {
        if (isText(value, maxLength) && !accepts(text(maxLength === undefined ? {} : { maxLength }), value)) throw new Error(`isText(${JSON.stringify(value)}, ${maxLength})`);
      }
    }
  });

  it('the number checks accept only what the schemas accept', () => {
    for (const value of [...ODD_FIELD_VALUES, 5e-324, Number.MAX_VALUE, Number.EPSILON]) {
      if (isPositiveNumber(value)) expect(accepts(positiveNumber(), value)).toBe(true);
      if (isNonNegativeNumber(value)) expect(accepts(nonNegativeNumber(), value)).toBe(true);
    }
  });
});

import { rfc3339Problem, rfc3339ToEpochMs, rfc3339ToEpochNanos } from './rfc3339';

describe('RFC 3339 timestamps', () => {
  it.each([
    ['2026-03-02T14:30:00Z', 1772461800_000_000_000n],
    ['2026-03-02T14:30:00.1Z', 1772461800_100_000_000n],
    ['2026-03-02T14:30:00.123456789Z', 1772461800_123_456_789n],
    ['2026-03-02T15:30:00.5+01:00', 1772461800_500_000_000n],
    ['2026-03-02T09:00:00-05:30', 1772461800_000_000_000n],
    ['1970-01-01T00:00:00Z', 0n],
    ['1969-12-31T23:59:59.999999999Z', -1n],
    ['0001-01-01T00:00:00Z', -62135596800_000_000_000n],
  ])('%s is %d ns after the epoch', (text, nanos) => {
    expect(rfc3339ToEpochNanos(text)).toBe(nanos);
  });

  it('converts to epoch milliseconds, truncating sub-millisecond digits', () => {
    expect(rfc3339ToEpochMs('2026-03-02T14:30:00.123999Z')).toBe(Date.UTC(2026, 2, 2, 14, 30, 0, 123));
    expect(rfc3339ToEpochMs('2026-03-02T14:30:00Z')).toBe(Date.parse('2026-03-02T14:30:00Z'));
  });

  it('throws a RangeError naming the problem for an invalid timestamp', () => {
    expect(() => rfc3339ToEpochNanos('2026-02-30T00:00:00Z')).toThrow(new RangeError('timestamp is not a real date: 2026-02 has no day 30'));
    expect(() => rfc3339ToEpochMs('soon')).toThrow(RangeError);
  });

  it.each([
    ['2026-03-02T14:30:00+01:00', { utcOnly: true }, /must be in UTC/],
    ['2026-03-02T14:30:00', { utcOnly: false }, /must be an RFC 3339 timestamp/],
    ['2026-03-02t14:30:00Z', { utcOnly: false }, /must be an RFC 3339 timestamp/],
    ['2026-3-2T14:30:00Z', { utcOnly: false }, /must be an RFC 3339 timestamp/],
    ['2026-03-02T14:30:00.Z', { utcOnly: false }, /must be an RFC 3339 timestamp/],
    ['2026-03-02T14:30:00+24:00', { utcOnly: false }, /impossible UTC offset/],
    ['2026-03-02T14:30:00+01:60', { utcOnly: false }, /impossible UTC offset/],
    ['2026-00-10T00:00:00Z', { utcOnly: false }, /month 00 does not exist/],
    ['2026-01-00T00:00:00Z', { utcOnly: false }, /has no day 00/],
    ['1900-02-29T00:00:00Z', { utcOnly: false }, /has no day 29/],
    [' 2026-03-02T14:30:00Z', { utcOnly: false }, /must be an RFC 3339 timestamp/],
  ])('%s is rejected', (text, rules, problem) => {
    expect(rfc3339Problem(text, rules)).toMatch(problem);
  });

  it('accepts 29 February of a leap year, including 2000', () => {
    expect(rfc3339Problem('2000-02-29T00:00:00Z', { utcOnly: true })).toBeUndefined();
    expect(rfc3339Problem('2028-02-29T12:00:00Z', { utcOnly: true })).toBeUndefined();
  });
});

import { rfc3339ToEpochNanos } from '@vigil/contracts';
import { eventTime } from './event-time';

/** What eventTime must equal: the strict parser's nanoseconds, as ms (floored) and as decimal text. */
function reference(ts: string): { tsMs: number; tsNs: string } {
  const ns = rfc3339ToEpochNanos(ts);
  return { tsMs: Number(ns / 1_000_000n), tsNs: ns.toString() };
}

describe('eventTime', () => {
  it('equals the strict parser for every fraction length, around second, minute, day and year boundaries', () => {
    const seconds = ['2026-03-02T14:00:00', '2026-03-02T14:00:59', '2026-03-02T23:59:59', '2026-12-31T23:59:59', '2024-02-29T00:00:00', '1970-01-01T00:00:01'];
    const fractions = ['', '.0', '.1', '.05', '.999', '.004', '.1234', '.000001', '.123456789', '.999999999', '.000000001'];
    for (const second of seconds) {
      for (const fraction of fractions) {
        const ts = `${second}${fraction}Z`;
        expect({ ts, ...eventTime(ts) }).toEqual({ ts, ...reference(ts) });
      }
    }
  });

  it('gives the same answer when consecutive timestamps alternate between seconds (the memoised second is replaced, not reused)', () => {
    const stamps = ['2026-03-02T14:00:00.5Z', '2026-03-02T14:00:01.5Z', '2026-03-02T14:00:00.25Z', '2026-03-02T14:00:01Z', '2026-03-02T14:00:00Z'];
    for (const ts of [...stamps, ...stamps.reverse()]) expect(eventTime(ts)).toEqual(reference(ts));
  });

  it('takes the strict path for offsets and times before 1970, with the same answer', () => {
    for (const ts of ['2026-03-02T15:00:00.123+01:00', '1969-12-31T23:59:59.5Z', '1970-01-01T00:00:00Z', '1970-01-01T00:00:00.001Z']) {
      expect(eventTime(ts)).toEqual(reference(ts));
    }
  });

  it('rejects a timestamp the strict parser rejects, with its message (not a value from the memoised second)', () => {
    eventTime('2026-02-28T14:00:00.1Z');
    for (const ts of ['2026-02-30T14:00:00.1Z', '2026-02-28T14:00:00.1234567890Z', '2026-02-28T14:00:00.Z', '2026-02-28T14:00:00.1x2Z', '2026-02-28T24:00:00Z']) {
      expect(() => eventTime(ts)).toThrow(RangeError);
      expect(() => eventTime(ts)).toThrow(/timestamp /);
    }
  });
});

/**
 * RFC 3339 timestamps as the contracts use them. Event times stay strings on the wire and in
 * the typed values (up to nanosecond precision, which a JS Date would lose); these helpers
 * check them strictly (a real calendar date, not only the right shape) and turn them into
 * epoch numbers for window arithmetic.
 */

// Leap seconds (second 60) are not accepted: venues and OMSs smear them, and JS time cannot
// represent them.
const SHAPE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:\d{2})$/;
const MAX_FRACTION_DIGITS = 9;

export interface TimestampRules {
  /** true: the offset must be `Z` (market.orders.v1); false: any `±hh:mm` offset is accepted too. */
  readonly utcOnly: boolean;
}

interface ParsedTimestamp {
  /** Whole seconds since the Unix epoch, UTC. */
  readonly epochSeconds: number;
  /** Fraction of the second in nanoseconds (0–999 999 999). */
  readonly nanos: number;
}

type ParseResult = { ok: true; value: ParsedTimestamp } | { ok: false; problem: string };

const EXAMPLE_UTC = '2026-03-02T14:30:00.123456Z';

/** Returns what is wrong with `text` as a timestamp, or undefined when it is valid. */
export function rfc3339Problem(text: string, rules: TimestampRules): string | undefined {
  const result = parse(text, rules);
  return result.ok ? undefined : result.problem;
}

/** Nanoseconds since the Unix epoch; throws RangeError naming the problem for an invalid timestamp. */
export function rfc3339ToEpochNanos(text: string): bigint {
  const { epochSeconds, nanos } = parseOrThrow(text);
  return BigInt(epochSeconds) * 1_000_000_000n + BigInt(nanos);
}

/** Milliseconds since the Unix epoch (sub-millisecond digits truncated); throws RangeError when invalid. */
export function rfc3339ToEpochMs(text: string): number {
  const { epochSeconds, nanos } = parseOrThrow(text);
  return epochSeconds * 1000 + Math.floor(nanos / 1_000_000);
}

function parseOrThrow(text: string): ParsedTimestamp {
  const result = parse(text, { utcOnly: false });
  if (!result.ok) throw new RangeError(`timestamp ${result.problem}`);
  return result.value;
}

function parse(text: string, rules: TimestampRules): ParseResult {
  const shapeHint = rules.utcOnly
    ? `must be an RFC 3339 UTC timestamp ending in Z, e.g. ${EXAMPLE_UTC}`
    : `must be an RFC 3339 timestamp, e.g. ${EXAMPLE_UTC}`;
  const m = SHAPE.exec(text);
  if (!m) return fail(`${shapeHint} (got a string of ${text.length} characters)`);
  const [, y, mo, d, h, mi, s, fraction = '', offset] = m;
  if (fraction.length > MAX_FRACTION_DIGITS) {
    return fail(`has ${fraction.length} fractional-second digits; at most ${MAX_FRACTION_DIGITS} are allowed`);
  }
  if (rules.utcOnly && offset !== 'Z') return fail(`must be in UTC with the suffix Z, not the offset ${offset}`);

  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12) return fail(`is not a real date: month ${mo} does not exist`);
  const lastDay = daysInMonth(year, month);
  if (day < 1 || day > lastDay) return fail(`is not a real date: ${y}-${mo} has no day ${d}`);
  if (hour > 23) return fail(`is not a real time: hour ${h} is out of range 00-23`);
  if (minute > 59) return fail(`is not a real time: minute ${mi} is out of range 00-59`);
  if (second > 59) return fail(`is not a real time: second ${s} is out of range 00-59 (leap seconds are not accepted)`);

  let offsetMinutes = 0;
  if (offset !== 'Z') {
    const oh = Number(offset.slice(1, 3));
    const om = Number(offset.slice(4, 6));
    if (oh > 23 || om > 59) return fail(`has an impossible UTC offset ${offset}`);
    offsetMinutes = (offset.startsWith('-') ? -1 : 1) * (oh * 60 + om);
  }

  // Date.UTC maps years 0-99 to 1900-1999, so set the year separately.
  const date = new Date(Date.UTC(2000, month - 1, day, hour, minute, second));
  date.setUTCFullYear(year);
  const epochSeconds = date.getTime() / 1000 - offsetMinutes * 60;
  const nanos = Number(fraction.padEnd(MAX_FRACTION_DIGITS, '0'));
  return { ok: true, value: { epochSeconds, nanos } };
}

function fail(problem: string): ParseResult {
  return { ok: false, problem };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

import { rfc3339ToEpochNanos, type MarketOrderEvent } from '@vigil/contracts';

/** An accepted event waiting until the watermark passes it, with its event time decoded once. */
export interface TimedEvent {
  event: MarketOrderEvent;
  /** Event time in ms since the epoch (window arithmetic). */
  tsMs: number;
  /** Event time in ns since the epoch as a decimal string (the total order inside a millisecond). */
  tsNs: string;
}

export function timed(event: MarketOrderEvent): TimedEvent {
  return { event, ...eventTime(event.ts) };
}

/** The whole second of the last timestamp decoded on the fast path: a batch's events share a handful of seconds. */
let memoSecondText = '';
let memoSeconds = 0;

/**
 * Event time of a timestamp as ms and ns text. Every event is decoded once per batch (and again
 * when a log is replayed), so the usual shape — `YYYY-MM-DDTHH:MM:SS[.digits]Z` after 1970, what
 * market.orders.v1 carries — is decoded without BigInt arithmetic and with its whole second
 * memoised (checked by the strict parser the first time it is seen); anything else goes through
 * the strict parser, which also names what is wrong with a bad one.
 */
export function eventTime(ts: string): { tsMs: number; tsNs: string } {
  const fraction = fractionDigitsOf(ts);
  if (fraction !== undefined) {
    const secondText = ts.slice(0, 19);
    if (secondText !== memoSecondText) {
      const seconds = strictEpochSeconds(`${secondText}Z`);
      if (seconds !== undefined && seconds > 0) {
        memoSecondText = secondText;
        memoSeconds = seconds;
      }
    }
    if (secondText === memoSecondText) {
      const nanos = fraction.padEnd(9, '0');
      return { tsMs: memoSeconds * 1000 + Number(nanos.slice(0, 3)), tsNs: `${memoSeconds}${nanos}` };
    }
  }
  const ns = rfc3339ToEpochNanos(ts);
  return { tsMs: Number(ns / 1_000_000n), tsNs: ns.toString() };
}

/** The fraction's digits ('' for none) when `ts` is `<19 characters>[.1-9 digits]Z`; undefined for any other shape. */
function fractionDigitsOf(ts: string): string | undefined {
  const length = ts.length;
  if (length < 20 || length > 30 || ts.charCodeAt(length - 1) !== 90 /* Z */) return undefined;
  if (length === 20) return '';
  if (ts.charCodeAt(19) !== 46 /* . */ || length === 21) return undefined;
  for (let i = 20; i < length - 1; i++) {
    const c = ts.charCodeAt(i);
    if (c < 48 || c > 57) return undefined;
  }
  return ts.slice(20, length - 1);
}

function strictEpochSeconds(wholeSecond: string): number | undefined {
  try {
    return Number(rfc3339ToEpochNanos(wholeSecond) / 1_000_000_000n);
  } catch {
    return undefined; // the full timestamp goes through the strict parser, which throws naming the problem
  }
}

/**
 * Event-time order: by ts to the nanosecond, then by eventId, so that the same set of
 * events is always handled in the same order whatever order they arrived in.
 */
export function byEventTime(a: TimedEvent, b: TimedEvent): number {
  // Milliseconds first (numbers); inside one millisecond the nanosecond texts, compared as
  // decimals (a shorter text is a smaller number), without a BigInt per comparison.
  if (a.tsMs !== b.tsMs) return a.tsMs < b.tsMs ? -1 : 1;
  if (a.tsNs !== b.tsNs) {
    if (a.tsNs.length !== b.tsNs.length) return a.tsNs.length < b.tsNs.length ? -1 : 1;
    return a.tsNs < b.tsNs ? -1 : 1;
  }
  return a.event.eventId < b.event.eventId ? -1 : a.event.eventId > b.event.eventId ? 1 : 0;
}

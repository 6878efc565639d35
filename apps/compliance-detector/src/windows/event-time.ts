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
  const ns = rfc3339ToEpochNanos(event.ts);
  return { event, tsMs: Number(ns / 1_000_000n), tsNs: ns.toString() };
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

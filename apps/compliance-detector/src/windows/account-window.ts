import type { MarketOrderEvent } from '@vigil/contracts';
import { upperBound as upperBoundOf } from './sorted-numbers';

/**
 * One account's order messages on one instrument, in event-time order, as running totals:
 * `[tsMs, newTotal, amendTotal, cancelTotal, orderId]`. A window's counts are the difference
 * of two entries found by binary search, so a rule asks "how many in the last 30 min" in
 * O(log n) however busy the account is.
 */
export type MessageEntry = [tsMs: number, news: number, amends: number, cancels: number, orderId: string];

export interface AccountWindow {
  messages: MessageEntry[];
  /** Running totals of the messages already trimmed away: the baseline of the first entry. */
  base: [news: number, amends: number, cancels: number];
  /** orderId → event time of the order's latest fill. */
  lastFillMs: Record<string, number>;
  /** The values of lastFillMs, sorted: "how many orders filled in a window" is two binary searches (absent in state saved before it: rebuilt). */
  fillTimes?: number[];
  /** Rule-private state, by rule id. */
  rules: Record<string, unknown>;
  /** Event time the window was last trimmed to (undefined: never). */
  trimmedToMs?: number;
}

export interface MessageCounts {
  news: number;
  amends: number;
  cancels: number;
  /** Event time of the first message in the window, undefined when there is none. */
  firstMs: number | undefined;
}

export function emptyAccountWindow(): AccountWindow {
  return { messages: [], base: [0, 0, 0], lastFillMs: {}, rules: {} };
}

/** Adds a released event to the account's windows (events come in event-time order). */
export function recordInAccount(window: AccountWindow, event: MarketOrderEvent, tsMs: number): void {
  if (event.eventType === 'FILL') {
    const times = fillTimesOf(window);
    const previous = window.lastFillMs[event.orderId];
    if (previous !== undefined) times.splice(upperBoundOf(times, previous) - 1, 1);
    window.lastFillMs[event.orderId] = tsMs;
    // Fills come in event-time order, so this is an append but for equal times.
    times.splice(upperBoundOf(times, tsMs), 0, tsMs);
    return;
  }
  const kind = event.eventType === 'NEW' ? 1 : event.eventType === 'AMEND' ? 2 : event.eventType === 'CANCEL' ? 3 : 0;
  if (kind === 0) return; // REJECT and EXPIRE are the venue's doing, not order messages of the account.
  const { messages, base } = window;
  const last = messages.length > 0 ? messages[messages.length - 1] : undefined;
  // Built in place: this runs for every order message, so no intermediate arrays.
  const entry: MessageEntry = last ? [tsMs, last[1], last[2], last[3], event.orderId] : [tsMs, base[0], base[1], base[2], event.orderId];
  entry[kind] += 1;
  window.messages.push(entry);
}

/** Message counts with event time in (toMs - windowMs, toMs]. */
export function messagesIn(window: AccountWindow, toMs: number, windowMs: number): MessageCounts {
  const { messages } = window;
  const end = upperBound(messages, toMs); // first index with ts > toMs
  const start = upperBound(messages, toMs - windowMs); // first index with ts > toMs - windowMs
  if (end <= start) return { news: 0, amends: 0, cancels: 0, firstMs: undefined };
  const last = messages[end - 1];
  if (start > 0) {
    const before = messages[start - 1];
    return { news: last[1] - before[1], amends: last[2] - before[2], cancels: last[3] - before[3], firstMs: messages[start][0] };
  }
  const { base } = window;
  return { news: last[1] - base[0], amends: last[2] - base[1], cancels: last[3] - base[2], firstMs: messages[start][0] };
}

/** Distinct orderIds of the messages in (toMs - windowMs, toMs], at most `limit`. */
export function orderIdsIn(window: AccountWindow, toMs: number, windowMs: number, limit: number): string[] {
  const ids = new Set<string>();
  const { messages } = window;
  for (let i = upperBound(messages, toMs - windowMs); i < messages.length && messages[i][0] <= toMs && ids.size < limit; i++) {
    ids.add(messages[i][4]);
  }
  return [...ids];
}

/** How many orders have their latest fill in (toMs - windowMs, toMs], in O(log n) however many the account fills. */
export function countOrdersFilledIn(window: AccountWindow, toMs: number, windowMs: number): number {
  const times = fillTimesOf(window);
  return upperBoundOf(times, toMs) - upperBoundOf(times, toMs - windowMs);
}

function fillTimesOf(window: AccountWindow): number[] {
  window.fillTimes ??= Object.values(window.lastFillMs).sort((a, b) => a - b);
  return window.fillTimes;
}

/**
 * How far event time moves between two trims of one account: what is older than every window
 * is forgotten in steps (the readers all look up by time, so a few seconds more of old entries
 * change no answer), not at every batch, which costs a walk over the account's fills.
 */
const TRIM_STEP_MS = 10_000;

/** Forgets what is older than every window that may still ask for it (at most once per TRIM_STEP_MS of event time). */
export function trimAccountWindow(window: AccountWindow, keepAfterMs: number): void {
  if (window.trimmedToMs !== undefined && keepAfterMs < window.trimmedToMs + TRIM_STEP_MS) return;
  window.trimmedToMs = keepAfterMs;
  const start = upperBound(window.messages, keepAfterMs);
  if (start > 0) {
    const last = window.messages[start - 1];
    window.base = [last[1], last[2], last[3]];
    window.messages.splice(0, start);
  }
  const times = fillTimesOf(window);
  const stale = upperBoundOf(times, keepAfterMs);
  if (stale > 0) {
    times.splice(0, stale);
    for (const [orderId, ms] of Object.entries(window.lastFillMs)) if (ms <= keepAfterMs) delete window.lastFillMs[orderId];
  }
}

function upperBound(messages: MessageEntry[], ms: number): number {
  let lo = 0;
  let hi = messages.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (messages[mid][0] <= ms) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export type MessageKind = 'NEW' | 'AMEND' | 'CANCEL';

/** How many messages have event time in (toMs - windowMs, toMs]: two binary searches, nothing built (a rule asks this before it asks for the list). */
export function messageCountIn(window: AccountWindow, toMs: number, windowMs: number): number {
  const { messages } = window;
  return Math.max(0, upperBound(messages, toMs) - upperBound(messages, toMs - windowMs));
}

/** The messages with event time in (toMs - windowMs, toMs], oldest first. */
export function messageListIn(window: AccountWindow, toMs: number, windowMs: number): { tsMs: number; kind: MessageKind; orderId: string }[] {
  const { messages } = window;
  const list: { tsMs: number; kind: MessageKind; orderId: string }[] = [];
  const start = upperBound(messages, toMs - windowMs);
  for (let i = start; i < messages.length && messages[i][0] <= toMs; i++) {
    const news = i > 0 ? messages[i - 1][1] : window.base[0];
    const amends = i > 0 ? messages[i - 1][2] : window.base[1];
    const entry = messages[i];
    const kind: MessageKind = entry[1] !== news ? 'NEW' : entry[2] !== amends ? 'AMEND' : 'CANCEL';
    list.push({ tsMs: entry[0], kind, orderId: entry[4] });
  }
  return list;
}

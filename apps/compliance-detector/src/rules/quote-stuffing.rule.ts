import { z } from 'zod';
import { messageCountIn, messageListIn } from '../windows/account-window';
import { defineRule, isoMs, ruleState } from './rule';

// 0.9 × 50 orders must count as 45, not 45.00000000000001.
const EPSILON = 1e-9;

const parameters = z.object({
  windowMs: z.number().int().positive().default(1_000),
  minMessages: z.number().int().positive().default(100),
  minCancelledShare: z.number().min(0).max(1).default(0.9),
  maxMedianLifetimeMs: z.number().nonnegative().default(50),
  /** One alert per account × instrument per clock-aligned bucket of this length (a burst lasting seconds is one finding). */
  bucketMs: z.number().int().positive().default(60_000),
  /** How long an order's placement time is remembered to measure its lifetime (longer than windowMs: a cancel in the window may need it). */
  trackOrdersMs: z.number().int().positive().default(10_000),
});

interface StuffingState {
  /** orderId → event time of its NEW, for orders placed in the last trackOrdersMs. */
  placedMs: Record<string, number>;
  lastTrimMs: number;
  lastBucketMs: number | null;
}

/**
 * QUOTE_STUFFING, per account × instrument: ≥ 100 order messages (NEW, AMEND, CANCEL one
 * each) within 1 s, of whose orders ≥ 90 % are cancelled in it, with a median lifetime
 * (NEW to CANCEL) over the cancelled orders ≤ 50 ms. Checked at each CANCEL (the only
 * message that can complete the pattern), on the window ending there.
 */
export const quoteStuffingRule = defineRule({
  type: 'QUOTE_STUFFING',
  parameters,
  lookbackMs: (p) => p.windowMs,
  onEvent({ rule, event, tsMs, account, market, emit }) {
    const p = rule.parameters;
    const state = ruleState<StuffingState>(account, rule.id, () => ({ placedMs: {}, lastTrimMs: tsMs, lastBucketMs: null }));
    if (tsMs - state.lastTrimMs > p.trackOrdersMs) {
      for (const [orderId, ms] of Object.entries(state.placedMs)) if (ms < tsMs - p.trackOrdersMs) delete state.placedMs[orderId];
      state.lastTrimMs = tsMs;
    }
    if (event.eventType === 'NEW') state.placedMs[event.orderId] = tsMs;
    if (event.eventType !== 'CANCEL') return;

    const bucketStartMs = Math.floor(tsMs / p.bucketMs) * p.bucketMs;
    // Counted before the list is built: at almost every CANCEL the window is far below the threshold.
    if (state.lastBucketMs === bucketStartMs || messageCountIn(account, tsMs, p.windowMs) < p.minMessages) return;
    const messages = messageListIn(account, tsMs, p.windowMs);
    const result = measure(messages, state.placedMs);
    const { orders, cancelled, lifetimes } = result;
    const share = cancelled.length / orders.size;
    if (share + EPSILON < p.minCancelledShare) return;
    const medianLifetimeMs = median(lifetimes);
    if (medianLifetimeMs > p.maxMedianLifetimeMs + EPSILON) return;

    state.lastBucketMs = bucketStartMs;
    emit({
      party: event.accountId,
      accountId: event.accountId,
      ...(event.traderId !== undefined ? { traderId: event.traderId } : {}),
      beneficialOwnerId: event.beneficialOwnerId,
      bucketStartMs,
      windowStartMs: messages[0].tsMs,
      windowEndMs: tsMs,
      score: messages.length,
      threshold: p.minMessages,
      summary:
        `Account ${event.accountId} sent ${messages.length} order messages on ${market.instrument} at ${market.venue} within ` +
        `${p.windowMs} ms to ${isoMs(tsMs)} and cancelled ${cancelled.length} of its ${orders.size} orders ` +
        `(${(share * 100).toFixed(1)} %) after a median ${medianLifetimeMs} ms (thresholds: ${p.minMessages} messages, ` +
        `${(p.minCancelledShare * 100).toFixed(1)} % cancelled, ${p.maxMedianLifetimeMs} ms).`,
      orderIds: [...orders].slice(0, 100),
      tradeIds: [],
      metrics: {
        messages: messages.length,
        orders: orders.size,
        cancelledOrders: cancelled.length,
        cancelledShare: share,
        medianLifetimeMs,
        windowMs: p.windowMs,
      },
    });
  },
});

function measure(messages: ReturnType<typeof messageListIn>, placedMs: Record<string, number>) {
  const orders = new Set<string>();
  const cancelled: string[] = [];
  const lifetimes: number[] = [];
  for (const m of messages) {
    orders.add(m.orderId);
    if (m.kind !== 'CANCEL') continue;
    cancelled.push(m.orderId);
    const placed = placedMs[m.orderId];
    // An order placed before what is remembered lived at least that long.
    lifetimes.push(placed === undefined ? Number.MAX_SAFE_INTEGER : m.tsMs - placed);
  }
  return { orders, cancelled, lifetimes };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

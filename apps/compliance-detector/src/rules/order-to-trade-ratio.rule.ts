import { z } from 'zod';
import { countOrdersFilledIn, messagesIn, orderIdsIn } from '../windows/account-window';
import { defineRule, isoMs, ruleState } from './rule';

const EVIDENCE_ORDER_IDS = 100;
// Ratios are compared with a hair of tolerance so 0.98 × 200 counts as 196, not 196.00000000000003.
const EPSILON = 1e-9;

const parameters = z.object({
  windowMs: z.number().int().positive().default(1_800_000),
  maxRatio: z.number().nonnegative().default(100),
  /** Floor on the weighted message count. */
  minMessages: z.number().nonnegative().default(200),
  weights: z
    .object({ NEW: z.number().nonnegative().default(1), CANCEL: z.number().nonnegative().default(1), AMEND: z.number().nonnegative().default(2) })
    .default({ NEW: 1, CANCEL: 1, AMEND: 2 }),
});

/**
 * ORDER_TO_TRADE_RATIO (MiFID II RTS 9, count method), per account × instrument:
 * weighted order messages over the rolling window / max(orders with a fill in it, 1) − 1.
 * Checked on every order message (a fill only lowers the ratio); one alert per window-long
 * clock bucket of the message that crossed the threshold.
 */
export const orderToTradeRatioRule = defineRule({
  type: 'ORDER_TO_TRADE_RATIO',
  parameters,
  lookbackMs: (p) => p.windowMs,
  onEvent({ rule, event, tsMs, account, market, emit }) {
    if (event.eventType !== 'NEW' && event.eventType !== 'AMEND' && event.eventType !== 'CANCEL') return;
    const { windowMs, maxRatio, minMessages, weights } = rule.parameters;
    const state = ruleState<{ lastBucketMs: number | null }>(account, rule.id, () => ({ lastBucketMs: null }));
    const bucketStartMs = Math.floor(tsMs / windowMs) * windowMs;
    if (state.lastBucketMs === bucketStartMs) return;

    const counts = messagesIn(account, tsMs, windowMs);
    const messages = counts.news * weights.NEW + counts.amends * weights.AMEND + counts.cancels * weights.CANCEL;
    if (messages < minMessages) return;
    const executed = countOrdersFilledIn(account, tsMs, windowMs);
    const ratio = messages / Math.max(executed, 1) - 1;
    if (ratio + EPSILON < maxRatio) return;

    state.lastBucketMs = bucketStartMs;
    const windowStartMs = counts.firstMs ?? tsMs;
    emit({
      party: event.accountId,
      accountId: event.accountId,
      ...(event.traderId !== undefined ? { traderId: event.traderId } : {}),
      beneficialOwnerId: event.beneficialOwnerId,
      bucketStartMs,
      windowStartMs,
      windowEndMs: tsMs,
      score: ratio,
      threshold: maxRatio,
      summary:
        `Account ${event.accountId} sent ${messages} weighted order messages (${counts.news} new, ${counts.amends} amend, ` +
        `${counts.cancels} cancel) on ${market.instrument} at ${market.venue} for ${executed} executed order(s) in the ` +
        `${windowMs / 60_000} min to ${isoMs(tsMs)}: an order-to-trade ratio of ${round(ratio)}, at or above ${maxRatio}.`,
      orderIds: orderIdsIn(account, tsMs, windowMs, EVIDENCE_ORDER_IDS),
      tradeIds: [],
      metrics: {
        orderToTradeRatio: ratio,
        weightedMessages: messages,
        newOrders: counts.news,
        amendments: counts.amends,
        cancels: counts.cancels,
        executedOrders: executed,
        windowMs,
      },
    });
  },
});

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

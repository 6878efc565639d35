import { z } from 'zod';
import { messagesIn, orderIdsIn } from '../windows/account-window';
import { defineRule, isoMs, ruleState } from './rule';

const EVIDENCE_ORDER_IDS = 100;
// 0.98 × 200 must count as 196, not 196.00000000000003.
const EPSILON = 1e-9;

const parameters = z.object({
  windowMs: z.number().int().positive().default(1_800_000),
  maxCancelRatio: z.number().nonnegative().default(0.98),
  minNewOrders: z.number().int().nonnegative().default(200),
});

/**
 * CANCELLATION_RATE, per account × instrument: CANCEL messages / NEW orders over the
 * rolling window, with a floor on NEW orders. Checked on NEW and CANCEL (both can cross the
 * threshold: a NEW can lift the count over the floor); one alert per window-long clock bucket.
 */
export const cancellationRateRule = defineRule({
  type: 'CANCELLATION_RATE',
  parameters,
  lookbackMs: (p) => p.windowMs,
  onEvent({ rule, event, tsMs, account, market, emit }) {
    if (event.eventType !== 'NEW' && event.eventType !== 'CANCEL') return;
    const { windowMs, maxCancelRatio, minNewOrders } = rule.parameters;
    const state = ruleState<{ lastBucketMs: number | null }>(account, rule.id, () => ({ lastBucketMs: null }));
    const bucketStartMs = Math.floor(tsMs / windowMs) * windowMs;
    if (state.lastBucketMs === bucketStartMs) return;

    const counts = messagesIn(account, tsMs, windowMs);
    if (counts.news < minNewOrders || counts.news === 0) return;
    const ratio = counts.cancels / counts.news;
    if (ratio + EPSILON < maxCancelRatio) return;

    state.lastBucketMs = bucketStartMs;
    emit({
      party: event.accountId,
      accountId: event.accountId,
      ...(event.traderId !== undefined ? { traderId: event.traderId } : {}),
      beneficialOwnerId: event.beneficialOwnerId,
      bucketStartMs,
      windowStartMs: counts.firstMs ?? tsMs,
      windowEndMs: tsMs,
      score: ratio,
      threshold: maxCancelRatio,
      summary:
        `Account ${event.accountId} cancelled ${counts.cancels} times against ${counts.news} new orders on ${market.instrument} ` +
        `at ${market.venue} in the ${windowMs / 60_000} min to ${isoMs(tsMs)}: a cancellation rate of ` +
        `${(ratio * 100).toFixed(1)} %, at or above ${(maxCancelRatio * 100).toFixed(1)} %.`,
      orderIds: orderIdsIn(account, tsMs, windowMs, EVIDENCE_ORDER_IDS),
      tradeIds: [],
      metrics: { cancelRatio: ratio, cancels: counts.cancels, newOrders: counts.news, windowMs },
    });
  },
});

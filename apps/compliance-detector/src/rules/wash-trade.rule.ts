import { z } from 'zod';
import { defineRule, isoMs, ruleState, type Finding } from './rule';

/** One beneficial owner's wash trades on one instrument in one clock-aligned bucket. */
interface WashBucket {
  owner: string;
  bucketStartMs: number;
  /** The buy side's account of the first trade: the alert's accountId. */
  accountId: string;
  traderId?: string;
  accounts: string[];
  trades: number;
  quantity: number;
  orderIds: string[];
  tradeIds: string[];
  firstMs: number;
  lastMs: number;
}

const parameters = z.object({
  /** Bucket length, aligned to the clock (:00, :10, ... for 10 minutes). */
  bucketMs: z.number().int().positive().default(600_000),
});

/**
 * WASH_TRADE: a trade whose buyer and seller have the same beneficial owner (the same
 * account included). One alert per owner × instrument × bucket, sent once the bucket is
 * over in event time, so that it counts every such trade of the bucket.
 */
export const washTradeRule = defineRule({
  type: 'WASH_TRADE',
  parameters,
  lookbackMs: () => 0,
  onEvent({ rule, trade, instrument }) {
    if (!trade || trade.buy.beneficialOwnerId !== trade.sell.beneficialOwnerId) return;
    const owner = trade.buy.beneficialOwnerId;
    const bucketStartMs = Math.floor(trade.tsMs / rule.parameters.bucketMs) * rule.parameters.bucketMs;
    const buckets = ruleState<Record<string, WashBucket>>(instrument, rule.id, () => ({}));
    const key = `${owner}|${bucketStartMs}`;
    const bucket = (buckets[key] ??= {
      owner,
      bucketStartMs,
      accountId: trade.buy.accountId,
      ...(trade.buy.traderId !== undefined ? { traderId: trade.buy.traderId } : {}),
      accounts: [],
      trades: 0,
      quantity: 0,
      orderIds: [],
      tradeIds: [],
      firstMs: trade.tsMs,
      lastMs: trade.tsMs,
    });
    bucket.trades += 1;
    bucket.quantity += trade.qty;
    bucket.lastMs = trade.tsMs;
    for (const account of [trade.buy.accountId, trade.sell.accountId]) if (!bucket.accounts.includes(account)) bucket.accounts.push(account);
    for (const orderId of [trade.buy.orderId, trade.sell.orderId]) if (!bucket.orderIds.includes(orderId)) bucket.orderIds.push(orderId);
    bucket.tradeIds.push(trade.tradeId);
  },
  onWatermark({ rule, watermarkMs, market, instrument, emit }) {
    const buckets = instrument.rules[rule.id] as Record<string, WashBucket> | undefined;
    if (!buckets) return;
    for (const [key, bucket] of Object.entries(buckets)) {
      if (bucket.bucketStartMs + rule.parameters.bucketMs > watermarkMs) continue;
      delete buckets[key];
      emit(toFinding(bucket, market.instrument, market.venue));
    }
  },
});

function toFinding(bucket: WashBucket, instrument: string, venue: string): Finding {
  const accounts = bucket.accounts.length === 1 ? `account ${bucket.accounts[0]}` : `accounts ${bucket.accounts.join(', ')}`;
  return {
    party: bucket.owner,
    accountId: bucket.accountId,
    ...(bucket.traderId !== undefined ? { traderId: bucket.traderId } : {}),
    beneficialOwnerId: bucket.owner,
    bucketStartMs: bucket.bucketStartMs,
    windowStartMs: bucket.firstMs,
    windowEndMs: bucket.lastMs,
    score: bucket.trades,
    threshold: 1,
    summary:
      `Beneficial owner ${bucket.owner} was both buyer and seller in ${bucket.trades} trade(s) of ${bucket.quantity} ` +
      `on ${instrument} at ${venue} between ${isoMs(bucket.firstMs)} and ${isoMs(bucket.lastMs)} (${accounts}).`,
    orderIds: bucket.orderIds,
    tradeIds: bucket.tradeIds,
    metrics: { trades: bucket.trades, quantity: bucket.quantity, accounts: bucket.accounts.length },
  };
}

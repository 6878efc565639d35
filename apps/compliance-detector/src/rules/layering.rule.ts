import type { OrderSide } from '@vigil/contracts';
import { z } from 'zod';
import type { NewOrderSizes } from '../windows/new-order-sizes';
import { bestPrice, type BookOrder } from '../windows/order-book';
import { defineRule, isoMs, ruleState, type Finding } from './rule';

const EPSILON = 1e-9;

const parameters = z.object({
  minOrders: z.number().int().positive().default(3),
  minPriceLevels: z.number().int().positive().default(3),
  /** Resting within this many ticks of the touch (the best price on the layered side). */
  maxTicksFromTouch: z.number().nonnegative().default(10),
  /** Each order ≥ this × the instrument's median NEW size (as for spoofing) ... */
  eachSizeMultiple: z.number().positive().default(5),
  /** ... or all of them together ≥ this × the median. */
  togetherSizeMultiple: z.number().positive().default(10),
  minOrdersForMedian: z.number().int().nonnegative().default(100),
  referenceQuantity: z.number().positive().default(100),
  minCancelledShare: z.number().min(0).max(1).default(0.8),
  maxFilledShare: z.number().min(0).max(1).default(0.1),
});

interface LayerOrder {
  quantity: number;
  filled: number;
  cancelled: number;
  open: boolean;
  price: number;
}

interface Episode {
  accountId: string;
  traderId?: string;
  beneficialOwnerId: string;
  side: OrderSide;
  startMs: number;
  typicalQuantity: number;
  levels: number;
  orders: Record<string, LayerOrder>;
  opposite: number;
  oppositeOrderIds: string[];
  oppositeTradeIds: string[];
}

/**
 * LAYERING, per account × instrument: ≥ 3 of the account's orders resting at once on one
 * side at ≥ 3 price levels within 10 ticks of the touch, each ≥ 5 × the median NEW size or
 * together ≥ 10 × it; the account fills on the other side while they rest; once none of them
 * rests any more, ≥ 80 % of their quantity was cancelled with ≤ 10 % filled. Amendments keep
 * an order the same order. One alert per episode (bucket = when the layers formed).
 *
 * The median is the instrument's 30-min NEW-size median when the layers form, without the
 * layer orders' own sizes (their latest quantities, which differ from their NEW sizes only
 * after an amendment).
 */
export const layeringRule = defineRule({
  type: 'LAYERING',
  parameters,
  lookbackMs: () => 0,
  onEvent({ rule, event, tsMs, market, instrument, emit }) {
    const p = rule.parameters;
    const episodes = ruleState<Record<string, Episode>>(instrument, rule.id, () => ({}));
    const mine = episodes[`${event.accountId}|${event.side}`];
    const layer = mine?.orders[event.orderId];

    if (mine && layer) {
      if (event.eventType === 'AMEND') {
        layer.quantity = event.quantity;
        if (event.price !== undefined) layer.price = event.price;
      } else if (event.eventType === 'FILL') {
        layer.filled += event.fillQty;
        if (event.leavesQty <= 0) layer.open = false;
      } else if (event.eventType === 'CANCEL' || event.eventType === 'REJECT' || event.eventType === 'EXPIRE') {
        if (event.eventType === 'CANCEL') layer.cancelled += Math.max(0, layer.quantity - layer.filled);
        layer.open = false;
      }
      if (!Object.values(mine.orders).some((o) => o.open)) {
        delete episodes[`${event.accountId}|${event.side}`];
        const finding = judge(mine, p, market.instrument, market.venue, tsMs);
        if (finding) emit(finding);
      }
    }

    if (event.eventType === 'FILL') {
      const other = episodes[`${event.accountId}|${event.side === 'BUY' ? 'SELL' : 'BUY'}`];
      if (other && Object.values(other.orders).some((o) => o.open)) {
        other.opposite += event.fillQty;
        if (!other.oppositeOrderIds.includes(event.orderId)) other.oppositeOrderIds.push(event.orderId);
        other.oppositeTradeIds.push(event.tradeId);
      }
      return;
    }
    if ((event.eventType !== 'NEW' && event.eventType !== 'AMEND') || event.orderType !== 'LIMIT') return;

    // Do the account's resting orders on this side form layers now?
    const touch = bestPrice(instrument.book, event.side);
    if (touch === undefined) return;
    // A loop, not Object.entries + filter: this runs at every NEW/AMEND LIMIT over the whole book.
    const near: [string, BookOrder][] = [];
    const orders = instrument.book.orders;
    for (const orderId in orders) {
      const o = orders[orderId];
      if (o.accountId === event.accountId && o.side === event.side && Math.abs(o.price - touch) <= p.maxTicksFromTouch * market.tickSize + EPSILON) near.push([orderId, o]);
    }
    if (near.length < p.minOrders) return;
    const levels = new Set(near.map(([, o]) => o.price)).size;
    if (levels < p.minPriceLevels) return;
    const typical = typicalSize(instrument.newOrderSizes, tsMs, near.map(([, o]) => o.quantity), p);
    const each = near.every(([, o]) => o.quantity + EPSILON >= p.eachSizeMultiple * typical);
    const together = near.reduce((sum, [, o]) => sum + o.quantity, 0) + EPSILON >= p.togetherSizeMultiple * typical;
    if (!each && !together) return;
    const episode = (episodes[`${event.accountId}|${event.side}`] ??= {
      accountId: event.accountId,
      ...(event.traderId !== undefined ? { traderId: event.traderId } : {}),
      beneficialOwnerId: event.beneficialOwnerId,
      side: event.side,
      startMs: tsMs,
      typicalQuantity: typical,
      levels,
      orders: {},
      opposite: 0,
      oppositeOrderIds: [],
      oppositeTradeIds: [],
    });
    episode.levels = Math.max(episode.levels, levels);
    for (const [orderId, o] of near) {
      episode.orders[orderId] ??= { quantity: o.quantity, filled: o.quantity - o.leaves, cancelled: 0, open: true, price: o.price };
    }
  },
});

/** The instrument median's window (the 30 min, as the instrument keeps its NEW sizes). */
const MEDIAN_WINDOW_MS = 1_800_000;

function typicalSize(sizes: NewOrderSizes, atMs: number, exclude: number[], p: z.output<typeof parameters>): number {
  if (sizes.seen < p.minOrdersForMedian) return p.referenceQuantity;
  const values = [...sizes.sorted];
  // Sizes expire only when a NEW order comes: layers formed by an AMEND after a quiet spell must not count older ones.
  for (const [ts, q] of sizes.recent) {
    if (ts > atMs - MEDIAN_WINDOW_MS) break;
    const at = values.indexOf(q);
    if (at >= 0) values.splice(at, 1);
  }
  for (const q of exclude) {
    const at = values.indexOf(q);
    if (at >= 0) values.splice(at, 1);
  }
  if (values.length === 0) return p.referenceQuantity;
  const mid = values.length >> 1;
  return values.length % 2 === 1 ? values[mid] : (values[mid - 1] + values[mid]) / 2;
}

function judge(e: Episode, p: z.output<typeof parameters>, instrument: string, venue: string, endMs: number): Finding | undefined {
  const orders = Object.values(e.orders);
  const total = orders.reduce((sum, o) => sum + o.quantity, 0);
  const cancelled = orders.reduce((sum, o) => sum + o.cancelled, 0);
  const filled = orders.reduce((sum, o) => sum + o.filled, 0);
  if (total <= 0 || e.opposite <= 0) return undefined;
  const cancelledShare = cancelled / total;
  const filledShare = filled / total;
  if (cancelledShare + EPSILON < p.minCancelledShare || filledShare > p.maxFilledShare + EPSILON) return undefined;
  const ids = Object.keys(e.orders);
  return {
    party: e.accountId,
    accountId: e.accountId,
    ...(e.traderId !== undefined ? { traderId: e.traderId } : {}),
    beneficialOwnerId: e.beneficialOwnerId,
    bucketStartMs: e.startMs,
    windowStartMs: e.startMs,
    windowEndMs: endMs,
    score: cancelledShare,
    threshold: p.minCancelledShare,
    summary:
      `Account ${e.accountId} rested ${ids.length} ${e.side} orders of ${total} in all at ${e.levels} price levels near the touch on ` +
      `${instrument} at ${venue} (typical size ${e.typicalQuantity}), ${e.side === 'BUY' ? 'sold' : 'bought'} ${e.opposite} meanwhile, and ` +
      `cancelled ${(cancelledShare * 100).toFixed(1)} % of them with ${(filledShare * 100).toFixed(1)} % filled by ${isoMs(endMs)}.`,
    orderIds: [...ids, ...e.oppositeOrderIds],
    tradeIds: e.oppositeTradeIds,
    metrics: {
      layerOrders: ids.length,
      priceLevels: e.levels,
      layerQuantity: total,
      typicalQuantity: e.typicalQuantity,
      cancelledShare,
      filledShare,
      oppositeFilledQuantity: e.opposite,
    },
  };
}

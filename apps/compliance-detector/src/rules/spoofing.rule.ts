import type { OrderSide } from '@vigil/contracts';
import { z } from 'zod';
import { defineRule, isoMs, ruleState, type Finding } from './rule';

// Prices and ratios are compared with a hair of tolerance (5 × 0.01 is not exactly 0.05).
const EPSILON = 1e-9;

const parameters = z.object({
  /** A bait is at least this many times the instrument's median NEW-order quantity. */
  sizeMultiple: z.number().positive().default(5),
  /** The median is used once the instrument has seen this many NEW orders; before, referenceQuantity. */
  minOrdersForMedian: z.number().int().nonnegative().default(100),
  referenceQuantity: z.number().positive().default(100),
  /** Priced within this many ticks of the best price on its side when placed. */
  maxTicksFromTouch: z.number().nonnegative().default(5),
  /** Cancelled within this long of placement ... */
  maxCancelDelayMs: z.number().int().nonnegative().default(5_000),
  /** ... with at most this share filled. */
  maxFilledShare: z.number().min(0).max(1).default(0.1),
  /** Opposite-side fills of the account count from placement until this long after the cancel. */
  oppositeFillGraceMs: z.number().int().nonnegative().default(2_000),
  /** Cancelled bait quantity ≥ this × the opposite filled quantity. */
  minCancelledToFilled: z.number().positive().default(2.5),
});

interface Bait {
  orderId: string;
  accountId: string;
  traderId?: string;
  beneficialOwnerId: string;
  side: OrderSide;
  price: number;
  quantity: number;
  /** What the order was compared with: the median (or reference) size and the best price on its side. */
  typicalQuantity: number;
  touch: number | null;
  placedMs: number;
  filled: number;
  cancelMs?: number;
  cancelledQuantity?: number;
  oppositeQuantity: number;
  oppositeOrderIds: string[];
  oppositeTradeIds: string[];
}

/**
 * SPOOFING, per account × instrument: a large LIMIT bait near the touch, cancelled soon and
 * barely filled, while the same account fills on the other side. Baits are tracked from
 * placement (rule state of the instrument: they are rare); the verdict comes once event time
 * is past the cancel + the grace for opposite fills. One alert per bait (its placement time is
 * the fingerprint's bucket).
 */
export const spoofingRule = defineRule({
  type: 'SPOOFING',
  parameters,
  lookbackMs: () => 0,
  onEvent({ rule, event, tsMs, market, instrument, placement }) {
    const p = rule.parameters;
    const baits = ruleState<Record<string, Bait>>(instrument, rule.id, () => ({}));
    const bait = baits[event.orderId];

    if (event.eventType === 'NEW' && placement && event.price !== undefined) {
      const typical = placement.ordersSeen < p.minOrdersForMedian || placement.medianNewQuantity === undefined ? p.referenceQuantity : placement.medianNewQuantity;
      const touch = placement.bestSameSide;
      const nearTouch = touch === undefined || Math.abs(event.price - touch) <= p.maxTicksFromTouch * market.tickSize + EPSILON;
      if (event.quantity + EPSILON >= p.sizeMultiple * typical && nearTouch) {
        baits[event.orderId] = {
          orderId: event.orderId,
          accountId: event.accountId,
          ...(event.traderId !== undefined ? { traderId: event.traderId } : {}),
          beneficialOwnerId: event.beneficialOwnerId,
          side: event.side,
          price: event.price,
          quantity: event.quantity,
          typicalQuantity: typical,
          touch: touch ?? null,
          placedMs: tsMs,
          filled: 0,
          oppositeQuantity: 0,
          oppositeOrderIds: [],
          oppositeTradeIds: [],
        };
      }
      return;
    }
    if (event.eventType === 'AMEND' && bait && bait.cancelMs === undefined) {
      // Amendments keep the order the same order.
      bait.quantity = event.quantity;
      if (event.price !== undefined) bait.price = event.price;
      return;
    }
    if (event.eventType === 'CANCEL' && bait && bait.cancelMs === undefined) {
      if (tsMs - bait.placedMs > p.maxCancelDelayMs || bait.filled > p.maxFilledShare * bait.quantity + EPSILON) delete baits[event.orderId];
      else {
        bait.cancelMs = tsMs;
        bait.cancelledQuantity = bait.quantity - bait.filled;
      }
      return;
    }
    if (event.eventType === 'FILL') {
      if (bait) bait.filled += event.fillQty;
      for (const other of Object.values(baits)) {
        if (other.accountId !== event.accountId || other.side === event.side || tsMs < other.placedMs) continue;
        if (other.cancelMs !== undefined && tsMs > other.cancelMs + p.oppositeFillGraceMs) continue;
        other.oppositeQuantity += event.fillQty;
        if (!other.oppositeOrderIds.includes(event.orderId)) other.oppositeOrderIds.push(event.orderId);
        other.oppositeTradeIds.push(event.tradeId);
      }
    }
  },
  onWatermark({ rule, watermarkMs, market, instrument, emit }) {
    const p = rule.parameters;
    const baits = instrument.rules[rule.id] as Record<string, Bait> | undefined;
    if (!baits) return;
    for (const [orderId, bait] of Object.entries(baits)) {
      if (bait.cancelMs === undefined) {
        // Not cancelled in time: an honest large order (or still open past the limit).
        if (watermarkMs > bait.placedMs + p.maxCancelDelayMs) delete baits[orderId];
        continue;
      }
      if (watermarkMs <= bait.cancelMs + p.oppositeFillGraceMs) continue;
      delete baits[orderId];
      const cancelled = bait.cancelledQuantity ?? 0;
      if (bait.oppositeQuantity <= 0 || cancelled + EPSILON < p.minCancelledToFilled * bait.oppositeQuantity) continue;
      emit(toFinding(bait, p.minCancelledToFilled, market.instrument, market.venue));
    }
  },
});

function toFinding(bait: Bait, threshold: number, instrument: string, venue: string): Finding {
  const cancelMs = bait.cancelMs ?? bait.placedMs;
  const cancelled = bait.cancelledQuantity ?? 0;
  const ratio = cancelled / bait.oppositeQuantity;
  const opposite = bait.side === 'BUY' ? 'SELL' : 'BUY';
  return {
    party: bait.accountId,
    accountId: bait.accountId,
    ...(bait.traderId !== undefined ? { traderId: bait.traderId } : {}),
    beneficialOwnerId: bait.beneficialOwnerId,
    bucketStartMs: bait.placedMs,
    windowStartMs: bait.placedMs,
    windowEndMs: cancelMs,
    score: ratio,
    threshold,
    summary:
      `Account ${bait.accountId} placed a ${bait.side} order ${bait.orderId} of ${bait.quantity} on ${instrument} at ${venue} ` +
      `(${round(bait.quantity / bait.typicalQuantity)} × the typical ${bait.typicalQuantity}) at ${bait.price}, cancelled ${cancelled} of it ` +
      `${cancelMs - bait.placedMs} ms later at ${isoMs(cancelMs)}, and ${opposite === 'BUY' ? 'bought' : 'sold'} ${bait.oppositeQuantity} meanwhile: ` +
      `${round(ratio)} × the cancelled-to-filled threshold ${threshold}.`,
    orderIds: [bait.orderId, ...bait.oppositeOrderIds],
    tradeIds: bait.oppositeTradeIds,
    metrics: {
      baitQuantity: bait.quantity,
      typicalQuantity: bait.typicalQuantity,
      sizeMultiple: bait.quantity / bait.typicalQuantity,
      ...(bait.touch !== null ? { ticksFromTouch: Math.abs(bait.price - bait.touch) } : {}),
      cancelDelayMs: cancelMs - bait.placedMs,
      filledQuantity: bait.filled,
      cancelledQuantity: cancelled,
      oppositeFilledQuantity: bait.oppositeQuantity,
      cancelledToFilled: ratio,
    },
  };
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

import type { OrderSide } from '@vigil/contracts';
import type { TimedEvent } from './event-time';
import { emptyNewOrderSizes, type NewOrderSizes } from './new-order-sizes';
import { emptyOrderBook, type OrderBook } from './order-book';

/** One side of a trade: what a FILL event says about its order. */
export interface TradeHalf {
  side: OrderSide;
  orderId: string;
  accountId: string;
  beneficialOwnerId: string;
  traderId?: string;
  qty: number;
  price: number;
  tsMs: number;
}

/** A trade once both FILLs sharing its tradeId were seen: counted once, whichever FILL completed it. */
export interface CompletedTrade {
  tradeId: string;
  buy: TradeHalf;
  sell: TradeHalf;
  qty: number;
  price: number;
  /** Event time of the FILL that completed the trade. */
  tsMs: number;
}

/**
 * What one instrument's detection keeps between batches (one Redis key, JSON).
 * Accounts' windows are kept apart (one hash field each) so a batch loads only the
 * accounts it touches.
 */
export interface InstrumentState {
  /** Newest event time accepted (ms), or null before the first event. */
  maxTsMs: number | null;
  /** Events with ts < watermarkMs were handled; an event older than that arrives too late. */
  watermarkMs: number | null;
  /** Accepted events not yet handled (ts >= watermarkMs), in no particular order. */
  pending: TimedEvent[];
  /** FILLs whose other half has not been seen yet, by tradeId. */
  openTrades: Record<string, TradeHalf>;
  lastPrice: number | null;
  book: OrderBook;
  /** NEW-order quantities of the last 30 min (the instrument median spoofing and layering compare with). */
  newOrderSizes: NewOrderSizes;
  /** Rule-private state, by rule id. */
  rules: Record<string, unknown>;
}

export function emptyInstrumentState(): InstrumentState {
  return { maxTsMs: null, watermarkMs: null, pending: [], openTrades: {}, lastPrice: null, book: emptyOrderBook(), newOrderSizes: emptyNewOrderSizes(), rules: {} };
}

/** Hash-tag of an instrument's keys: every key of one instrument lands on one Redis Cluster slot. */
export function instrumentTag(venue: string, instrument: string): string {
  return `${venue}:${instrument}`;
}

import type { OrderSide } from '@vigil/contracts';
import { z } from 'zod';
import { defineRule, isoMs, ruleState } from './rule';

const EPSILON = 1e-9;

const parameters = z.object({
  /** The aggressive run: fills within this long ... */
  runMs: z.number().int().positive().default(5_000),
  /** ... at at least this many price levels ... */
  minPriceLevels: z.number().int().positive().default(3),
  /** ... moving the last price at least this many ticks the run's way. */
  minTicksMoved: z.number().nonnegative().default(3),
  /** The opposite fills count for this long after the run's last aggressive fill ... */
  unwindMs: z.number().int().positive().default(60_000),
  /** ... and must reach this share of the run's quantity. */
  minUnwindShare: z.number().min(0).max(1).default(0.5),
});

interface AggressiveFill {
  tsMs: number;
  price: number;
  qty: number;
  priceBefore: number | null;
  orderId: string;
  tradeId: string;
}

interface Run {
  side: OrderSide;
  firstMs: number;
  lastMs: number;
  quantity: number;
  levels: number;
  startPrice: number;
  endPrice: number;
  orderIds: string[];
  tradeIds: string[];
  unwound: number;
  unwindOrderIds: string[];
  unwindTradeIds: string[];
}

interface IgnitionState {
  /** The account's aggressive fills of the last runMs, per side. */
  recent: Record<OrderSide, AggressiveFill[]>;
  /** The run of each side still waiting for its unwind: a dump that sweeps the book is both one run's unwind and the start of another. */
  runs: Partial<Record<OrderSide, Run>>;
  /** State written before runs were kept per side. */
  run?: Run | null;
}

/**
 * MOMENTUM_IGNITION, per account × instrument: aggressive fills on one side within 5 s at
 * ≥ 3 price levels that move the last price ≥ 3 ticks their way (from the last price before
 * the first of them to the last one's price), then, within 60 s of the last aggressive fill,
 * fills on the other side for ≥ 50 % of the run's quantity. Alerts at the fill that reaches
 * the share; one alert per run (bucket = the run's first fill).
 */
export const momentumIgnitionRule = defineRule({
  type: 'MOMENTUM_IGNITION',
  parameters,
  lookbackMs: () => 0,
  onEvent({ rule, event, tsMs, market, account, priceBefore, emit }) {
    if (event.eventType !== 'FILL') return;
    const p = rule.parameters;
    const state = ruleState<IgnitionState>(account, rule.id, () => ({ recent: { BUY: [], SELL: [] }, runs: {} }));
    state.runs ??= state.run ? { [state.run.side]: state.run } : {};
    delete state.run;
    for (const side of ['BUY', 'SELL'] as const) {
      const open = state.runs[side];
      if (open && tsMs > open.lastMs + p.unwindMs) delete state.runs[side];
    }

    // First: does this fill unwind a run of the other side? (An aggressive one may also start a run below.)
    const opposite: OrderSide = event.side === 'BUY' ? 'SELL' : 'BUY';
    const run = state.runs[opposite];
    if (run && tsMs > run.lastMs) {
      run.unwound += event.fillQty;
      if (!run.unwindOrderIds.includes(event.orderId)) run.unwindOrderIds.push(event.orderId);
      run.unwindTradeIds.push(event.tradeId);
      const share = run.unwound / run.quantity;
      if (share + EPSILON >= p.minUnwindShare) {
        delete state.runs[opposite];
        emitFinding(run, share);
      }
    }

    if (event.aggressor === true) {
      const recent = state.recent[event.side].filter((f) => f.tsMs >= tsMs - p.runMs);
      recent.push({ tsMs, price: event.fillPrice, qty: event.fillQty, priceBefore, orderId: event.orderId, tradeId: event.tradeId });
      state.recent[event.side] = recent;
      const direction = event.side === 'BUY' ? 1 : -1;
      const startPrice = recent[0].priceBefore ?? recent[0].price;
      const moved = Math.round(((event.fillPrice - startPrice) / market.tickSize) * direction * 1e6) / 1e6;
      const levels = new Set(recent.map((f) => f.price)).size;
      if (levels >= p.minPriceLevels && moved + EPSILON >= p.minTicksMoved) {
        // A new or longer run; unwinding counts from its last aggressive fill.
        const before = state.runs[event.side];
        state.runs[event.side] = {
          side: event.side,
          firstMs: before ? Math.min(before.firstMs, recent[0].tsMs) : recent[0].tsMs,
          lastMs: tsMs,
          quantity: recent.reduce((sum, f) => sum + f.qty, 0),
          levels,
          startPrice,
          endPrice: event.fillPrice,
          orderIds: [...new Set(recent.map((f) => f.orderId))],
          tradeIds: recent.map((f) => f.tradeId),
          unwound: 0,
          unwindOrderIds: [],
          unwindTradeIds: [],
        };
      }
    }

    function emitFinding(run: Run, share: number): void {
      const movedTicks = Math.round(((run.endPrice - run.startPrice) / market.tickSize) * (run.side === 'BUY' ? 1 : -1) * 1e6) / 1e6;
      emit({
        party: event.accountId,
        accountId: event.accountId,
        ...(event.traderId !== undefined ? { traderId: event.traderId } : {}),
        beneficialOwnerId: event.beneficialOwnerId,
        bucketStartMs: run.firstMs,
        windowStartMs: run.firstMs,
        windowEndMs: tsMs,
        score: share,
        threshold: p.minUnwindShare,
        summary:
          `Account ${event.accountId} ${run.side === 'BUY' ? 'bought' : 'sold'} ${run.quantity} aggressively on ${market.instrument} at ` +
          `${market.venue} at ${run.levels} price levels in ${run.lastMs - run.firstMs} ms, moving the price ${movedTicks} ticks from ` +
          `${run.startPrice} to ${run.endPrice}, then ${run.side === 'BUY' ? 'sold' : 'bought'} ${run.unwound} ` +
          `(${(share * 100).toFixed(1)} %) by ${isoMs(tsMs)}, ${tsMs - run.lastMs} ms after its last aggressive fill.`,
        orderIds: [...run.orderIds, ...run.unwindOrderIds],
        tradeIds: [...run.tradeIds, ...run.unwindTradeIds],
        metrics: {
          runQuantity: run.quantity,
          priceLevels: run.levels,
          ticksMoved: movedTicks,
          runMs: run.lastMs - run.firstMs,
          unwoundQuantity: run.unwound,
          unwindShare: share,
          unwindDelayMs: tsMs - run.lastMs,
        },
      });
    }
  },
});

import { z } from 'zod';
import { closeOfDay } from '../config/venue-close';
import { defineRule, isoMs, ruleState, type Finding } from './rule';

const EPSILON = 1e-9;

const parameters = z.object({
  /** The window before the venue's close. */
  windowMs: z.number().int().positive().default(300_000),
  minShare: z.number().min(0).max(1).default(0.4),
  minAccountVolume: z.number().nonnegative().default(100),
  minTotalVolume: z.number().nonnegative().default(500),
  /** The last price moves at least this many ticks from the window's first price, the way the account traded. */
  minTicksMoved: z.number().nonnegative().default(2),
});

interface CloseTrade {
  tradeId: string;
  qty: number;
  price: number;
  buyer: string;
  seller: string;
  buyOrderId: string;
  sellOrderId: string;
  tsMs: number;
}

interface CloseWindow {
  closeMs: number;
  trades: CloseTrade[];
}

/**
 * MARKING_THE_CLOSE, per account × instrument: in the last 5 min before the venue's close
 * (rule file: close time and IANA zone), the account has ≥ 40 % of the executed volume
 * (≥ 100 itself, ≥ 500 in all; each trade counted once), and the last price is ≥ 2 ticks from
 * the window's first price in the direction of the account's net trading. Judged once event
 * time passes the close; one alert per account and close (bucket = the window's start).
 */
export const markingTheCloseRule = defineRule({
  type: 'MARKING_THE_CLOSE',
  parameters,
  lookbackMs: () => 0,
  onEvent({ rule, trade, market, instrument }) {
    if (!trade || !market.close) return;
    const closeMs = closeOfDay(market.close, trade.tsMs);
    if (trade.tsMs < closeMs - rule.parameters.windowMs || trade.tsMs >= closeMs) return;
    const windows = ruleState<Record<string, CloseWindow>>(instrument, rule.id, () => ({}));
    const window = (windows[String(closeMs)] ??= { closeMs, trades: [] });
    window.trades.push({
      tradeId: trade.tradeId,
      qty: trade.qty,
      price: trade.price,
      buyer: trade.buy.accountId,
      seller: trade.sell.accountId,
      buyOrderId: trade.buy.orderId,
      sellOrderId: trade.sell.orderId,
      tsMs: trade.tsMs,
    });
  },
  onWatermark({ rule, watermarkMs, market, instrument, emit }) {
    const windows = instrument.rules[rule.id] as Record<string, CloseWindow> | undefined;
    if (!windows) return;
    for (const [key, window] of Object.entries(windows)) {
      if (window.closeMs > watermarkMs) continue;
      delete windows[key];
      for (const finding of judge(window, rule.parameters, market.tickSize, market.instrument, market.venue)) emit(finding);
    }
  },
});

function judge(window: CloseWindow, p: z.output<typeof parameters>, tickSize: number, instrument: string, venue: string): Finding[] {
  const trades = window.trades;
  if (trades.length === 0) return [];
  const total = trades.reduce((sum, t) => sum + t.qty, 0);
  if (total + EPSILON < p.minTotalVolume) return [];
  const first = trades[0].price;
  const last = trades[trades.length - 1].price;
  // Rounded to a millionth of a tick: 0.02 / 0.01 in binary floating point is 1.9999999999996.
  const movedTicks = Math.round(((last - first) / tickSize) * 1e6) / 1e6;
  const accounts = new Set(trades.flatMap((t) => [t.buyer, t.seller]));
  const findings: Finding[] = [];
  for (const account of accounts) {
    const own = trades.filter((t) => t.buyer === account || t.seller === account);
    // A trade with itself counts once in its volume and nets to zero.
    const volume = own.reduce((sum, t) => sum + t.qty, 0);
    const net = own.reduce((sum, t) => sum + (t.buyer === account ? t.qty : 0) - (t.seller === account ? t.qty : 0), 0);
    const share = volume / total;
    if (volume + EPSILON < p.minAccountVolume || share + EPSILON < p.minShare || net === 0) continue;
    const movedItsWay = Math.sign(net) * movedTicks;
    if (movedItsWay + EPSILON < p.minTicksMoved) continue;
    const windowStartMs = window.closeMs - p.windowMs;
    findings.push({
      party: account,
      accountId: account,
      bucketStartMs: windowStartMs,
      windowStartMs: own[0].tsMs,
      windowEndMs: own[own.length - 1].tsMs,
      score: share,
      threshold: p.minShare,
      summary:
        `Account ${account} traded ${volume} of the ${total} executed on ${instrument} at ${venue} in the ${p.windowMs / 60_000} min ` +
        `before the ${isoMs(window.closeMs)} close (${(share * 100).toFixed(1)} %, net ${net > 0 ? 'bought' : 'sold'} ${Math.abs(net)}) ` +
        `while the price moved ${round(movedTicks)} ticks from ${first} to ${last} (thresholds: ${(p.minShare * 100).toFixed(1)} %, ${p.minTicksMoved} ticks).`,
      orderIds: [...new Set(own.map((t) => (t.buyer === account ? t.buyOrderId : t.sellOrderId)))],
      tradeIds: own.map((t) => t.tradeId),
      metrics: { accountVolume: volume, totalVolume: total, share, netQuantity: net, firstPrice: first, lastPrice: last, ticksMoved: movedTicks },
    });
  }
  return findings;
}

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

import { readFileSync } from 'node:fs';
import type { AlertType, MarketOrderEvent, OrderSide } from '@vigil/contracts';
import { parse as parseYaml } from 'yaml';
import { DEFAULT_RULES_FILE, RuleBook } from '../../config/rule-book';
import { MarketSimulation, type SimInstrument } from '../market-simulator';
import type { SimAccount } from '../sim-book';

/**
 * Golden cases from enforcement history, rebuilt on a quiet simulated futures/equity market
 * (market makers and takers of a few lots, so the instrument's median order is ~10 lots):
 * the events are made by code, deterministically, so the case reads as what happened.
 */
export interface GoldenCase {
  name: string;
  description: string;
  /** The account the case is about; every alert of the case must be on it. */
  accountId: string;
  /** The alert types the case must raise (and no other). */
  expectedTypes: AlertType[];
  events: MarketOrderEvent[];
  /** The rule book to judge it with: the shipped rules, with the case's instrument tick sizes. */
  book: RuleBook;
  /** Order ids the case's story names (for checking the alerts' evidence). */
  orders: Record<string, string>;
}

/** The shipped rule file with the golden instruments' tick sizes (an E-mini ticks in quarters). */
export function goldenRuleBook(): RuleBook {
  const file = parseYaml(readFileSync(DEFAULT_RULES_FILE, 'utf8')) as { market: { instruments: Record<string, unknown> } };
  file.market.instruments = { ...file.market.instruments, ES: { tickSize: 0.25 } };
  return RuleBook.from(file, 'golden rules');
}

function quietMarket(seed: number, minutes: number, startIso: string, venue: string, instrument: string, ticks: number, book: RuleBook) {
  const sim = new MarketSimulation({
    seed,
    minutes,
    book,
    startMs: Date.parse(startIso),
    episodes: false,
    instruments: [{ venue, instrument, ticks }],
    makerLots: [5, 30, 1],
    takerLots: [1, 20, 1],
  });
  return { sim, inst: sim.instruments[0] as SimInstrument };
}

/**
 * Sarao (E-mini S&P, 2010): 600-lot sell orders at five consecutive ticks above the best ask,
 * kept there as the market moves and modified thousands of times, all cancelled with zero
 * fills, while he bought. Compressed into 5 minutes of an 8-minute session.
 */
export function saraoLayering(): GoldenCase {
  const book = goldenRuleBook();
  const { sim, inst } = quietMarket(20_100_506, 8, '2010-05-06T13:00:00Z', 'XCME', 'ES', 4_520, book);
  const nav: SimAccount = { accountId: 'NAV-SARAO', traderId: 'nav-layering-algo' };
  const layers: string[] = [];
  let active = false;
  const bestAsk = () => inst.book.best('SELL', nav.accountId) as number;
  // Five consecutive ticks above the ask, whatever the ask does.
  const keepPlaced = () => {
    if (!active) return;
    layers.forEach((id, k) => {
      if (inst.book.ticksOf(id) !== bestAsk() + 1 + k) inst.book.amend(id, { ticks: bestAsk() + 1 + k });
    });
  };
  sim.afterFairValueMove.push(keepPlaced);
  const t0 = sim.startMs + 2 * 60_000;
  sim.scheduler.at(t0, () => {
    for (let k = 0; k < 5; k++) layers.push(inst.book.limit(nav, 'SELL', bestAsk() + 1 + k, 600));
    active = true;
  });
  // Modified thousands of times: a lot more or less every 100 ms, and placed again after every move of the ask.
  for (let t = t0 + 100; t < t0 + 5 * 60_000; t += 100) {
    sim.scheduler.at(t, () => {
      keepPlaced();
      const id = layers[sim.rng.int(0, 4)];
      inst.book.amend(id, { quantity: 600 + sim.rng.int(-1, 1) || 601 });
    });
  }
  // Meanwhile he buys, a few lots at a time at the ask.
  for (let t = t0 + 5_000; t < t0 + 5 * 60_000; t += 15_000) sim.scheduler.at(t, () => void sim.takeAt(inst, nav, 'BUY', sim.rng.int(5, 20)));
  sim.scheduler.at(t0 + 5 * 60_000, () => {
    active = false;
    for (const id of layers) inst.book.cancel(id);
  });
  const events = [...sim.events()];
  return {
    name: 'sarao-layering',
    description: 'Sarao-style layering: five 600-lot sells one tick apart above the ask, modified thousands of times, all cancelled unfilled while buying',
    accountId: nav.accountId,
    // The thousands of amendments for a handful of executed buys also breach the order-to-trade ratio.
    expectedTypes: ['LAYERING', 'ORDER_TO_TRADE_RATIO'],
    events,
    book,
    orders: Object.fromEntries(layers.map((id, k) => [`layer${k + 1}`, id])),
  };
}

/**
 * Coscia (NYMEX crude, 2011): a 17-lot buy inside the spread, then sells of 122, 85 and 54
 * lots one tick apart from the ask; a counterparty fills the buy and the sells are cancelled,
 * 609 ms after the buy was placed; then the mirror image sells the 17 lots.
 */
export function cosciaSequence(): GoldenCase {
  const book = goldenRuleBook();
  const { sim, inst } = quietMarket(20_111_001, 4, '2011-10-03T14:00:00Z', 'XNYM', 'CL', 7_800, book);
  const coscia: SimAccount = { accountId: 'PANTHER-COSCIA', traderId: 'coscia-algo' };
  const orders: Record<string, string> = {};
  const round = (t0: number, side: OrderSide, tag: string) => {
    const spoofSide: OrderSide = side === 'BUY' ? 'SELL' : 'BUY';
    const dir = spoofSide === 'SELL' ? 1 : -1;
    const spoofs: string[] = [];
    sim.scheduler.at(t0, () => {
      orders[`${tag}Small`] = inst.book.limit(coscia, side, inst.fv, 17);
    });
    [122, 85, 54].forEach((qty, k) =>
      sim.scheduler.at(t0 + 120 + k * 90, () => {
        const touch = inst.book.best(spoofSide, coscia.accountId) as number;
        const id = inst.book.limit(coscia, spoofSide, touch + dir * k, qty);
        spoofs.push(id);
        orders[`${tag}${qty}`] = id;
      }),
    );
    // Someone takes the other side of the small order.
    sim.scheduler.at(t0 + 480, () => void inst.book.market({ accountId: 'CME-LOCAL-7' }, spoofSide, 17));
    sim.scheduler.at(t0 + 609, () => spoofs.forEach((id) => inst.book.cancel(id)));
  };
  const t0 = sim.startMs + 2 * 60_000;
  round(t0, 'BUY', 'buy');
  round(t0 + 30_000, 'SELL', 'sell');
  const events = [...sim.events()];
  return {
    name: 'coscia-609ms',
    description: "Coscia's 609 ms sequence: 17-lot buy, sells of 122/85/54 one tick apart cancelled once it filled, then the mirror sale",
    accountId: coscia.accountId,
    expectedTypes: ['SPOOFING', 'LAYERING'],
    events,
    book,
    orders,
  };
}

/** A quote-stuffing burst: 300 orders placed and cancelled 1-2 ms later, all inside one second, far from the touch. */
export function quoteStuffingBurst(): GoldenCase {
  const book = goldenRuleBook();
  const { sim, inst } = quietMarket(20_100_507, 4, '2010-05-06T18:40:00Z', 'XNAS', 'NANX', 2_500, book);
  const hft: SimAccount = { accountId: 'HFT-STUFFER' };
  const t0 = sim.startMs + 2 * 60_000;
  const orders: Record<string, string> = {};
  for (let k = 0; k < 300; k++) {
    sim.scheduler.at(t0 + k * 3, () => {
      const side: OrderSide = k % 2 === 0 ? 'BUY' : 'SELL';
      const id = inst.book.limit(hft, side, inst.fv + (side === 'BUY' ? -1 : 1) * sim.rng.int(10, 20), 100);
      if (k === 0) orders['first'] = id;
      sim.scheduler.after(sim.rng.int(1, 2), () => inst.book.cancel(id));
    });
  }
  const events = [...sim.events()];
  return {
    name: 'quote-stuffing-burst',
    description: 'a burst of 600 order messages in 0.9 s, every order cancelled within 2 ms',
    accountId: hft.accountId,
    // 300 orders all cancelled, none executed: the burst also breaches the cancellation rate and the order-to-trade ratio.
    expectedTypes: ['QUOTE_STUFFING', 'ORDER_TO_TRADE_RATIO', 'CANCELLATION_RATE'],
    events,
    book,
    orders,
  };
}

export const GOLDEN_CASES: Record<string, () => GoldenCase> = {
  'sarao-layering': saraoLayering,
  'coscia-609ms': cosciaSequence,
  'quote-stuffing-burst': quoteStuffingBurst,
};

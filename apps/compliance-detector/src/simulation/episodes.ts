import type { AlertType, OrderSide } from '@vigil/contracts';
import type { DecoyKind, EpisodeLabel } from './labels';
import type { MarketSimulation, SimInstrument } from './market-simulator';
import type { SimAccount } from './sim-book';

const SECOND = 1_000;
const MINUTE = 60_000;

type Script = (sim: MarketSimulation, inst: SimInstrument, atMs: number, label: EpisodeLabel) => void;

interface EpisodeSpec {
  script: Script;
  /** Longest it runs (ms), for the slot it books. */
  durationMs: number;
  /** Episodes that trade at or near the touch get their instrument to themselves; deep ones may overlap. */
  exclusive: boolean;
  description: string;
}

const other = (side: OrderSide): OrderSide => (side === 'BUY' ? 'SELL' : 'BUY');
const away = (side: OrderSide): number => (side === 'BUY' ? -1 : 1);

/**
 * A manipulator does not let its bait or layers trade: while they rest, whenever the market
 * moves they are moved back to at least `ticksBehind` (+1 per further order) behind the touch
 * of everyone else. Returns the function that stops watching.
 */
function keepBehindTouch(sim: MarketSimulation, inst: SimInstrument, account: SimAccount, side: OrderSide, orders: string[], ticksBehind: number): () => void {
  const hook = (moved: SimInstrument) => {
    if (moved !== inst) return;
    const touch = inst.book.best(side, account.accountId);
    if (touch === undefined) return;
    orders.forEach((id, k) => {
      const want = touch + (ticksBehind + k) * away(side);
      const at = inst.book.ticksOf(id);
      if (at !== undefined && (side === 'SELL' ? at < want : at > want)) inst.book.amend(id, { ticks: want });
    });
  };
  sim.afterFairValueMove.push(hook);
  return () => {
    const at = sim.afterFairValueMove.indexOf(hook);
    if (at >= 0) sim.afterFairValueMove.splice(at, 1);
  };
}

/**
 * Orders placed one at a time and cancelled within 1.3 s, except that one in `fillEvery` is
 * placed inside the spread (when it has room; else the next one takes its turn) where a
 * counterparty takes part of it (then the rest is pulled at once) or all of it.
 */
function cancellingOrders(
  sim: MarketSimulation,
  inst: SimInstrument,
  atMs: number,
  label: EpisodeLabel,
  o: { orders: number; fillEvery: number; firstFill: number; counterparty: 'part' | 'all' },
): void {
  const account = { accountId: label.accountId };
  let owed = 0;
  let t = atMs;
  for (let k = 0; k < o.orders; k++) {
    t += Math.round(400 + sim.rng.exp(600));
    sim.scheduler.at(t, () => {
      if (!sim.open(inst)) return;
      if (k % o.fillEvery === o.firstFill) owed += 1;
      const side: OrderSide = sim.rng.chance(0.5) ? 'BUY' : 'SELL';
      const qty = sim.rng.lots(100, 200);
      const inside = owed > 0 && roomInsideSpread(inst);
      if (inside) owed -= 1;
      const id = inst.book.limit(account, side, inside ? inst.fv : inst.fv + away(side) * sim.rng.int(6, 10), qty);
      sim.touch(label);
      const taker = () => sim.rng.pick(sim.takers[inst.venue]);
      if (inside && o.counterparty === 'part') sim.scheduler.after(sim.rng.int(20, 60), () => sim.takeAt(inst, taker(), other(side), sim.rng.lots(20, qty / 2)));
      if (inside && o.counterparty === 'all') sim.scheduler.after(sim.rng.int(50, 200), () => inst.book.has(id) && inst.book.limit(taker(), other(side), inst.fv, inst.book.leaves(id)));
      sim.scheduler.after(inside && o.counterparty === 'part' ? sim.rng.int(80, 120) : sim.rng.int(300, 1_300), () => {
        if (!inst.book.has(id)) return;
        inst.book.cancel(id);
        sim.touch(label);
      });
    });
  }
}

/** The fair value's price is free on both sides and inside the spread: an order there trades with nobody but who is sent to it. */
function roomInsideSpread(inst: SimInstrument): boolean {
  return (
    inst.book.quantityAt('BUY', inst.fv) === 0 &&
    inst.book.quantityAt('SELL', inst.fv) === 0 &&
    (inst.book.best('BUY') ?? -Infinity) < inst.fv &&
    (inst.book.best('SELL') ?? Infinity) > inst.fv
  );
}

/**
 * The injected behaviour: one script per alert type (what a manipulator does, step by step,
 * against the live simulated book) and per decoy (honest behaviour that looks like one).
 * Each episode has its own fresh account, so the label says exactly who must be found.
 */
const MANIPULATIONS: Record<Exclude<AlertType, 'MARKING_THE_CLOSE'>, EpisodeSpec> = {
  SPOOFING: {
    exclusive: true,
    durationMs: 8 * SECOND,
    description: 'a bait order of 2000-3000 two ticks behind the touch, an aggressive trade on the other side, the bait cancelled within 3.5 s',
    script: (sim, inst, atMs, label) => {
      const account = { accountId: label.accountId };
      const side: OrderSide = sim.rng.chance(0.5) ? 'BUY' : 'SELL';
      sim.scheduler.at(atMs, () => {
        const touch = inst.book.best(side);
        if (!sim.open(inst) || touch === undefined) return;
        sim.touch(label);
        const bait = inst.book.limit(account, side, touch + 2 * away(side), sim.rng.lots(2_000, 3_000, 100));
        const release = keepBehindTouch(sim, inst, account, side, [bait], 2);
        sim.scheduler.after(sim.rng.int(300, 800), () => sim.takeAt(inst, account, other(side), sim.rng.lots(200, 400)) > 0 && sim.touch(label));
        sim.scheduler.after(sim.rng.int(1_500, 3_500), () => {
          release();
          inst.book.cancel(bait);
          sim.touch(label);
        });
      });
    },
  },
  LAYERING: {
    exclusive: true,
    durationMs: 20 * SECOND,
    description: 'four orders of 1200-2000 at 2-5 ticks behind the touch, trades on the other side while they rest 8-14 s, all cancelled',
    script: (sim, inst, atMs, label) => {
      const account = { accountId: label.accountId };
      const side: OrderSide = sim.rng.chance(0.5) ? 'BUY' : 'SELL';
      sim.scheduler.at(atMs, () => {
        const touch = inst.book.best(side);
        if (!sim.open(inst) || touch === undefined) return;
        const layers: string[] = [];
        const release = keepBehindTouch(sim, inst, account, side, layers, 2);
        for (let k = 0; k < 4; k++) {
          sim.scheduler.after(k * sim.rng.int(50, 150), () => {
            sim.touch(label);
            layers.push(inst.book.limit(account, side, touch + (2 + k) * away(side), sim.rng.lots(1_200, 2_000, 100)));
          });
        }
        sim.scheduler.after(sim.rng.int(1_000, 3_000), () => sim.takeAt(inst, account, other(side), sim.rng.lots(200, 400)) > 0 && sim.touch(label));
        sim.scheduler.after(sim.rng.int(4_000, 6_000), () => sim.takeAt(inst, account, other(side), sim.rng.lots(100, 300)) > 0 && sim.touch(label));
        const restMs = sim.rng.int(8_000, 14_000);
        sim.scheduler.after(restMs - 1, release);
        for (let k = 0; k < 4; k++) {
          sim.scheduler.after(restMs + k * sim.rng.int(10, 50), () => {
            const id = layers[k];
            if (id && inst.book.has(id)) {
              inst.book.cancel(id);
              sim.touch(label);
            }
          });
        }
      });
    },
  },
  MOMENTUM_IGNITION: {
    exclusive: true,
    durationMs: 80 * SECOND,
    description: 'one aggressive order sweeping the four best levels, then trades on the other side for 60-80 % of it within 40 s',
    script: (sim, inst, atMs, label) => {
      const account = { accountId: label.accountId };
      const side: OrderSide = sim.rng.chance(0.5) ? 'BUY' : 'SELL';
      const ignite = (tries: number) => {
        if (!sim.open(inst)) return;
        const levels = inst.book.depth(other(side), 4);
        // It waits for a last trade at or behind the touch, so that its sweep moves the price the full four levels.
        const last = inst.lastPrice;
        const ready = levels.length === 4 && (last === undefined || (side === 'BUY' ? last <= inst.book.price(levels[0].ticks) : last >= inst.book.price(levels[0].ticks)));
        if (!ready) {
          if (tries < 30) sim.scheduler.after(500, () => ignite(tries + 1));
          return;
        }
        const quantity = levels.reduce((sum, l) => sum + l.quantity, 0);
        sim.touch(label);
        inst.book.market(account, side, quantity);
        let unwound = 0;
        const target = Math.ceil(quantity * (0.6 + 0.2 * sim.rng.next()));
        const unwind = (n: number) => {
          if (!sim.open(inst) || unwound >= target || n > 8) return;
          const sent = sim.takeAt(inst, account, other(side), target - unwound);
          if (sent > 0) sim.touch(label);
          unwound += sent;
          sim.scheduler.after(sim.rng.int(2_500, 4_500), () => unwind(n + 1));
        };
        sim.scheduler.after(sim.rng.int(4_000, 8_000), () => unwind(1));
      };
      sim.scheduler.at(atMs, () => ignite(0));
    },
  },
  WASH_TRADE: {
    exclusive: false,
    durationMs: 70 * SECOND,
    description: 'two accounts of one beneficial owner (or one account) trading with each other three times inside the spread',
    script: (sim, inst, atMs, label) => {
      const owner = label.beneficialOwnerId as string;
      const buyer: SimAccount = { accountId: label.accountId, beneficialOwnerId: owner };
      const seller: SimAccount = sim.rng.chance(0.7) ? { accountId: sim.newAccountId(), beneficialOwnerId: owner } : buyer;
      for (let n = 0; n < 3; n++) {
        const trade = (tries: number) => {
          if (!sim.open(inst)) return;
          const price = inst.fv;
          if (!roomInsideSpread(inst)) {
            if (tries < 20) sim.scheduler.after(300, () => trade(tries + 1));
            return;
          }
          const qty = sim.rng.lots(100, 300);
          inst.book.limit(seller, 'SELL', price, qty);
          inst.book.limit(buyer, 'BUY', price, qty);
          sim.touch(label);
        };
        sim.scheduler.at(atMs + n * sim.rng.int(10_000, 20_000), () => trade(0));
      }
    },
  },
  ORDER_TO_TRADE_RATIO: {
    exclusive: false,
    durationMs: 200 * SECOND,
    description: '40 orders 12-20 ticks from the fair value amended 200 times over about 2.5 min, none executed, then cancelled',
    script: (sim, inst, atMs, label) => {
      const account = { accountId: label.accountId };
      const orders: string[] = [];
      const deep = (side: OrderSide) => inst.fv + away(side) * sim.rng.int(12, 20);
      for (let k = 0; k < 40; k++) {
        sim.scheduler.at(atMs + k * 500, () => {
          if (!sim.open(inst)) return;
          const side: OrderSide = k % 2 === 0 ? 'BUY' : 'SELL';
          orders.push(inst.book.limit(account, side, deep(side), sim.rng.lots(100, 200)));
          sim.touch(label);
        });
      }
      for (let k = 0; k < 200; k++) {
        sim.scheduler.at(atMs + 21 * SECOND + k * 700, () => {
          if (!sim.open(inst) || orders.length === 0) return;
          const n = sim.rng.int(0, orders.length - 1);
          const side: OrderSide = n % 2 === 0 ? 'BUY' : 'SELL';
          inst.book.amend(orders[n], sim.rng.chance(0.5) ? { ticks: deep(side) } : { quantity: sim.rng.lots(100, 200) });
          sim.touch(label);
        });
      }
      sim.scheduler.at(atMs + 21 * SECOND + 200 * 700 + SECOND, () => {
        for (const id of orders) inst.book.cancel(id);
      });
    },
  },
  CANCELLATION_RATE: {
    exclusive: false,
    durationMs: 300 * SECOND,
    description: '230 orders placed one at a time and all cancelled within 1.5 s; one in 25 partly filled first (so the order-to-trade ratio stays below 100)',
    script: (sim, inst, atMs, label) => cancellingOrders(sim, inst, atMs, label, { orders: 230, fillEvery: 25, firstFill: 5, counterparty: 'part' }),
  },
  QUOTE_STUFFING: {
    exclusive: false,
    durationMs: 3 * SECOND,
    description: '60 orders 8-14 ticks away in 0.75 s, each cancelled 5-25 ms after it was placed',
    script: (sim, inst, atMs, label) => {
      const account = { accountId: label.accountId };
      const side: OrderSide = sim.rng.chance(0.5) ? 'BUY' : 'SELL';
      for (let k = 0; k < 60; k++) {
        sim.scheduler.at(atMs + k * 12, () => {
          if (!sim.open(inst)) return;
          const id = inst.book.limit(account, side, inst.fv + away(side) * sim.rng.int(8, 14), sim.rng.lots(100, 200));
          sim.touch(label);
          sim.scheduler.after(sim.rng.int(5, 25), () => {
            inst.book.cancel(id);
            sim.touch(label);
          });
        });
      }
    },
  },
};

const DECOYS: Record<Exclude<DecoyKind, 'HEAVY_MARKET_MAKING' | 'BALANCED_CLOSE'>, EpisodeSpec> = {
  SHORT_QUOTE_BURST: {
    exclusive: false,
    durationMs: 3 * SECOND,
    description: '45 orders placed and cancelled within 0.6 s: 90 messages, under the 100 of quote stuffing',
    script: (sim, inst, atMs, label) => {
      const account = { accountId: label.accountId };
      const side: OrderSide = sim.rng.chance(0.5) ? 'BUY' : 'SELL';
      for (let k = 0; k < 45; k++) {
        sim.scheduler.at(atMs + k * 13, () => {
          if (!sim.open(inst)) return;
          const id = inst.book.limit(account, side, inst.fv + away(side) * sim.rng.int(8, 14), sim.rng.lots(100, 200));
          sim.touch(label);
          sim.scheduler.after(sim.rng.int(5, 25), () => inst.book.cancel(id));
        });
      }
    },
  },
  BUSY_CANCELLER: {
    exclusive: false,
    durationMs: 300 * SECOND,
    description: '220 orders, one in five filled inside the spread and the rest cancelled: a cancellation rate near 0.8, under 0.98',
    script: (sim, inst, atMs, label) => cancellingOrders(sim, inst, atMs, label, { orders: 220, fillEvery: 5, firstFill: 0, counterparty: 'all' }),
  },
  SWEEP_KEPT: { exclusive: true, durationMs: 80 * SECOND, description: 'a sweep of the four best levels, then only 20-35 % sold back within the minute', script: sweepKept },
  LARGE_ORDER_FILLS: {
    exclusive: true,
    durationMs: 45 * SECOND,
    description: 'the account trades a little on one side, then a 2000-3000 order of it joins the touch on the other and a block fills it 20-35 s later',
    script: (sim, inst, atMs, label) => {
      const account = { accountId: label.accountId };
      const side: OrderSide = sim.rng.chance(0.5) ? 'BUY' : 'SELL';
      sim.scheduler.at(atMs, () => {
        const touch = inst.book.best(side);
        if (!sim.open(inst) || touch === undefined) return;
        sim.touch(label);
        // Its small trade on the other side comes first: trading against its own large order would be a wash trade.
        sim.takeAt(inst, account, other(side), sim.rng.lots(100, 200));
        const id = inst.book.limit(account, side, touch, sim.rng.lots(2_000, 3_000, 100));
        sim.scheduler.after(sim.rng.int(20_000, 35_000), () => {
          const at = inst.book.ticksOf(id);
          if (at === undefined || !sim.open(inst)) return;
          // A block on the other side takes everything at the order's price or better.
          let qty = 0;
          for (const level of inst.book.depth(side, 10)) if (side === 'BUY' ? level.ticks >= at : level.ticks <= at) qty += level.quantity;
          inst.book.limit({ accountId: sim.newAccountId('BLK') }, other(side), at, qty);
          sim.touch(label);
        });
      });
    },
  },
  FAT_FINGER_CANCEL: {
    exclusive: true,
    durationMs: 3 * SECOND,
    description: 'a 5000-8000 order one tick behind the touch, cancelled within a second, no trade by the account',
    script: (sim, inst, atMs, label) => {
      const account = { accountId: label.accountId };
      const side: OrderSide = sim.rng.chance(0.5) ? 'BUY' : 'SELL';
      sim.scheduler.at(atMs, () => {
        const touch = inst.book.best(side);
        if (!sim.open(inst) || touch === undefined) return;
        sim.touch(label);
        const id = inst.book.limit(account, side, touch + away(side), sim.rng.lots(5_000, 8_000, 100));
        sim.scheduler.after(sim.rng.int(300, 900), () => {
          inst.book.cancel(id);
          sim.touch(label);
        });
      });
    },
  },
};

/** A momentum-ignition sweep of the four best levels whose buyer sells back only 20-35 % within the minute: under the 50 % unwind. */
function sweepKept(sim: MarketSimulation, inst: SimInstrument, atMs: number, label: EpisodeLabel): void {
  const account = { accountId: label.accountId };
  const side: OrderSide = sim.rng.chance(0.5) ? 'BUY' : 'SELL';
  sim.scheduler.at(atMs, () => {
    const levels = inst.book.depth(other(side), 4);
    if (!sim.open(inst) || levels.length < 4) return;
    const quantity = levels.reduce((sum, l) => sum + l.quantity, 0);
    sim.touch(label);
    inst.book.market(account, side, quantity);
    const target = Math.floor(quantity * (0.2 + 0.15 * sim.rng.next()));
    let unwound = 0;
    const unwind = (n: number) => {
      if (!sim.open(inst) || unwound >= target || n > 6) return;
      const sent = sim.takeAt(inst, account, other(side), Math.min(target - unwound, 200));
      if (sent > 0) sim.touch(label);
      unwound += sent;
      sim.scheduler.after(sim.rng.int(3_000, 6_000), () => unwind(n + 1));
    };
    sim.scheduler.after(sim.rng.int(5_000, 10_000), () => unwind(1));
  });
}

/** Marking the close: aggressive buying (or selling) through the last 4.5 min that lifts the price, heaviest at the end. */
const markTheClose: Script = (sim, inst, closeMs, label) => {
  const account = { accountId: label.accountId };
  const side: OrderSide = sim.rng.chance(0.5) ? 'BUY' : 'SELL';
  let sent = 0;
  let t = closeMs - 270 * SECOND;
  while (t < closeMs - 2 * SECOND) {
    sim.scheduler.at(t, () => {
      if (!sim.open(inst)) return;
      if (sim.takeAt(inst, account, side, sim.rng.lots(300, 600)) > 0) sim.touch(label);
      // Its buying moves the price: every sixth order the market makers step back a tick.
      if (++sent % 6 === 0) sim.moveFairValue(inst, side === 'BUY' ? 1 : -1, true);
    });
    t += Math.round(800 + sim.rng.exp(1_200));
  }
};

/** Busy but balanced closing trading: every 3 s a buy, then a sell of the same size, through the last 5 min. */
const balancedClose: Script = (sim, inst, closeMs, label) => {
  const account = { accountId: label.accountId };
  let pending = 0;
  for (let t = closeMs - 290 * SECOND, n = 0; t < closeMs - 3 * SECOND; t += 3 * SECOND, n++) {
    const buy = n % 2 === 0;
    sim.scheduler.at(t, () => {
      if (!sim.open(inst)) return;
      if (buy) {
        // At most what the best level on either side holds: it trades at one price each time, never sweeping the book.
        pending = Math.min(500, inst.book.depth('SELL', 1)[0]?.quantity ?? 0, inst.book.depth('BUY', 1)[0]?.quantity ?? 0);
        if (pending > 0) inst.book.market(account, 'BUY', pending);
      } else if (pending > 0) {
        inst.book.market(account, 'SELL', pending);
        pending = 0;
      }
      sim.touch(label);
    });
  }
};

/**
 * Books each episode a random instrument and start time inside the scenario (after the
 * warm-up, before the last minutes of a closing venue), with exclusive episodes never
 * overlapping on one instrument, and labels it.
 */
export function scheduleEpisodes(sim: MarketSimulation): void {
  const { rng } = sim;
  const warmupMs = sim.options.warmupMs ?? 2 * MINUTE;
  const earliest = sim.startMs + warmupMs;
  const latest = (inst: SimInstrument) => (inst.closeMs !== undefined ? inst.closeMs - 6 * MINUTE : sim.endMs - 90 * SECOND);
  const booked = new Map<SimInstrument, [number, number][]>();
  const usableMinutes = Math.max(0, (Math.max(...sim.instruments.map(latest)) - earliest) / MINUTE);
  const perKind = Math.max(1, Math.floor(usableMinutes / 6));
  let n = 0;

  const place = (kind: 'MANIPULATION' | 'DECOY', name: string, spec: EpisodeSpec, extra: Partial<EpisodeLabel> = {}, withinMs?: number) => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const inst = rng.pick(sim.instruments);
      const room = Math.min(latest(inst) - spec.durationMs - earliest, withinMs ?? Infinity);
      if (room <= 0) continue;
      const atMs = earliest + Math.floor(rng.next() * room);
      const slots = booked.get(inst) ?? [];
      if (spec.exclusive && slots.some(([a, b]) => atMs < b + 5 * SECOND && a < atMs + spec.durationMs + 5 * SECOND)) continue;
      if (spec.exclusive) booked.set(inst, [...slots, [atMs, atMs + spec.durationMs]]);
      const label: EpisodeLabel = {
        id: `${kind === 'MANIPULATION' ? 'ep' : 'decoy'}-${String(++n).padStart(3, '0')}-${name.toLowerCase().replace(/_/g, '-')}`,
        kind,
        ...(kind === 'MANIPULATION' ? { type: name as AlertType } : { decoy: name as DecoyKind }),
        venue: inst.venue,
        instrument: inst.instrument,
        accountId: sim.newAccountId(),
        start: '',
        end: '',
        description: spec.description,
        ...extra,
      };
      sim.labels.push(label);
      spec.script(sim, inst, atMs, label);
      return;
    }
  };

  // A demo's first minute: the episodes that are judged within seconds come first.
  const quick = sim.options.firstRoundWithinMs;
  if (quick !== undefined) {
    for (const type of ['QUOTE_STUFFING', 'SPOOFING', 'MOMENTUM_IGNITION', 'LAYERING'] as const) place('MANIPULATION', type, MANIPULATIONS[type], {}, quick);
  }
  for (let round = 0; round < perKind; round++) {
    for (const [type, spec] of Object.entries(MANIPULATIONS)) {
      place('MANIPULATION', type, spec, type === 'WASH_TRADE' ? { beneficialOwnerId: sim.newAccountId('OWN') } : {});
    }
    for (const [decoy, spec] of Object.entries(DECOYS)) place('DECOY', decoy, spec);
  }

  // The close: a manipulator on each closing instrument but the last, busy balanced trading on that one.
  const closing = sim.instruments.filter((i) => i.closeMs !== undefined && i.closeMs - 5 * MINUTE >= sim.startMs + warmupMs / 2);
  closing.forEach((inst, index) => {
    const decoy = index === closing.length - 1 && closing.length > 1;
    const label: EpisodeLabel = {
      id: `${decoy ? 'decoy' : 'ep'}-${String(++n).padStart(3, '0')}-${decoy ? 'balanced-close' : 'marking-the-close'}`,
      kind: decoy ? 'DECOY' : 'MANIPULATION',
      ...(decoy ? { decoy: 'BALANCED_CLOSE' as const } : { type: 'MARKING_THE_CLOSE' as const }),
      venue: inst.venue,
      instrument: inst.instrument,
      accountId: sim.newAccountId(),
      start: '',
      end: '',
      description: decoy
        ? 'over half the closing volume, bought and sold in equal amounts (net zero)'
        : 'over 40 % of the last 5 min volume, all on one side, lifting the price several ticks into the close',
    };
    sim.labels.push(label);
    (decoy ? balancedClose : markTheClose)(sim, inst, inst.closeMs as number, label);
  });
}

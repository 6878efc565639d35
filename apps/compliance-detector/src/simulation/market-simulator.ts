import { marketOrdersContract, type MarketOrderEvent, type OrderSide } from '@vigil/contracts';
import type { RuleBook } from '../config/rule-book';
import { closeOfDay } from '../config/venue-close';
import { scheduleEpisodes } from './episodes';
import type { EpisodeLabel } from './labels';
import { Prng } from './prng';
import { Scheduler } from './scheduler';
import { SimBook, type SimAccount, type UnstampedEvent } from './sim-book';

/** The simulated instruments: two per venue, each with its opening fair value in ticks. */
export const SIM_INSTRUMENTS = [
  { venue: 'XLON', instrument: 'VOD', ticks: 7_250 },
  { venue: 'XLON', instrument: 'BARC', ticks: 18_440 },
  { venue: 'XETR', instrument: 'SAP', ticks: 17_820 },
  { venue: 'XETR', instrument: 'SIE', ticks: 21_160 },
  { venue: 'XNYS', instrument: 'IBM', ticks: 24_730 },
  { venue: 'XNYS', instrument: 'KO', ticks: 6_210 },
] as const;

/** A winter Monday: XLON (16:30 London) and XETR (17:30 Berlin) both close at 16:30 UTC; XNYS later. */
const DEFAULT_CLOSE_UTC = Date.parse('2026-03-02T16:30:00Z');
/** Minutes the default scenario runs past the first close (XNYS trades on). */
const AFTER_CLOSE_MS = 3 * 60_000;

export const MM_LEVELS = 4;
const MARKET_MAKERS = 4;

export interface SimulationOptions {
  seed: number;
  minutes: number;
  book: RuleBook;
  /** First event time (ms); default: the scenario ends 3 min after the 16:30 UTC close of a winter Monday. */
  startMs?: number;
  /** Inject manipulation episodes and decoys (default true). */
  episodes?: boolean;
  /** Earliest episode start after the beginning (default 2 min: the instruments' medians need 100 orders). */
  warmupMs?: number;
  /** The instruments (default SIM_INSTRUMENTS). */
  instruments?: readonly { venue: string; instrument: string; ticks: number }[];
  /** Order sizes [min, max, lot] of market makers' quotes and of takers (default equities: 50-150 and 20-300 in lots of 10). */
  makerLots?: readonly [number, number, number];
  takerLots?: readonly [number, number, number];
  /** Prefix of order, trade and event ids (default none). */
  idPrefix?: string;
  /** Every resting order expires at the end (a demo cycle leaves nothing open for the next). */
  expireAtEnd?: boolean;
  /** The first round of quick episodes (spoofing, layering, momentum ignition, quote stuffing) starts within this long after the warm-up. */
  firstRoundWithinMs?: number;
}

export interface MarketMaker {
  account: SimAccount;
  heavy: boolean;
}

/** One simulated instrument: its book, fair value, market makers, close. */
export class SimInstrument {
  fv: number;
  anchor: number;
  closed = false;
  /** Price of the last trade (decimal), as the detector will see it. */
  lastPrice: number | undefined;
  readonly makers: MarketMaker[] = [];

  constructor(
    readonly book: SimBook,
    readonly venue: string,
    readonly instrument: string,
    ticks: number,
    /** The venue's close inside the scenario, if it has one. */
    readonly closeMs: number | undefined,
  ) {
    this.fv = ticks;
    this.anchor = ticks;
  }
}

/**
 * A deterministic market: per instrument, market makers quoting a ladder on both sides
 * around a mean-reverting fair value (amending as it moves, now and then cancelling and
 * replacing), takers crossing the spread at random times, the venue's close (resting
 * orders expire), plus labelled manipulation episodes and near-miss decoys (episodes.ts).
 * Events come out in event-time order as a generator, so a scenario of any length streams
 * to disk in bounded memory.
 */
export class MarketSimulation {
  readonly rng: Prng;
  readonly scheduler = new Scheduler();
  readonly instruments: SimInstrument[] = [];
  readonly labels: EpisodeLabel[] = [];
  readonly startMs: number;
  readonly endMs: number;
  private readonly out: MarketOrderEvent[] = [];
  private readonly lastUs = new Map<string, number>();
  private readonly usedAccounts = new Set<string>();
  private readonly bookOf = new Map<string, SimBook>();
  private readonly makerOf = new Map<string, { inst: SimInstrument; maker: MarketMaker }>();
  private eventSeq = 0;
  readonly takers: Record<string, SimAccount[]> = {};
  /** Called after each fair-value move, once the market makers have followed (golden cases keep their orders placed). */
  readonly afterFairValueMove: ((inst: SimInstrument) => void)[] = [];
  count = 0;
  private readonly makerLots: readonly [number, number, number];
  private readonly takerLots: readonly [number, number, number];

  constructor(readonly options: SimulationOptions) {
    if (!Number.isFinite(options.minutes) || options.minutes <= 0) throw new Error('minutes must be a positive number');
    this.rng = new Prng(options.seed);
    this.startMs = options.startMs ?? DEFAULT_CLOSE_UTC + AFTER_CLOSE_MS - options.minutes * 60_000;
    this.endMs = this.startMs + options.minutes * 60_000;
    this.scheduler.nowMs = this.startMs;
    this.makerLots = options.makerLots ?? [50, 150, 10];
    this.takerLots = options.takerLots ?? [20, 300, 10];
    const instruments = options.instruments ?? SIM_INSTRUMENTS;
    for (const spec of instruments) {
      const venueClose = options.book.venueClose(spec.venue);
      const close = venueClose ? closeOfDay(venueClose, this.startMs) : undefined;
      const closeMs = close !== undefined && close > this.startMs && close < this.endMs ? close : undefined;
      const book = new SimBook(spec.venue, spec.instrument, options.book.tickSize(spec.instrument), (e) => this.stamp(e), options.idPrefix ?? '');
      this.bookOf.set(`${spec.venue}:${spec.instrument}`, book);
      this.instruments.push(new SimInstrument(book, spec.venue, spec.instrument, spec.ticks, closeMs));
    }
    for (const venue of new Set(instruments.map((i) => i.venue))) {
      this.takers[venue] = Array.from({ length: 40 }, () => ({ accountId: this.newAccountId('TK') }));
    }
    this.instruments.forEach((inst, index) => this.startInstrument(inst, index));
    if (options.episodes ?? true) scheduleEpisodes(this);
    if (options.expireAtEnd) {
      this.scheduler.at(this.endMs - 1, () => {
        for (const inst of this.instruments) if (!inst.closed) inst.book.expireAll();
      });
    }
  }

  /** The scenario's events in event-time order. */
  *events(): Generator<MarketOrderEvent> {
    while (this.scheduler.step(this.endMs)) {
      for (const event of this.out) yield event;
      this.count += this.out.length;
      this.out.length = 0;
    }
  }

  /** A fresh, unique, meaningless account id. */
  newAccountId(prefix = 'ACC'): string {
    for (;;) {
      const id = `${prefix}-${this.rng.tag()}`;
      if (!this.usedAccounts.has(id)) {
        this.usedAccounts.add(id);
        return id;
      }
    }
  }

  /** An event of the live market is open on this instrument (not closed, not past the end). */
  open(inst: SimInstrument): boolean {
    return !inst.closed && this.scheduler.nowMs < this.endMs;
  }

  /** The fair value moves by `ticks`; market makers follow (the side moving away first, so they never cross). */
  moveFairValue(inst: SimInstrument, ticks: number, anchorToo = false): void {
    if (ticks === 0) return;
    inst.fv += ticks;
    if (anchorToo) inst.anchor += ticks;
    const first: OrderSide = ticks > 0 ? 'SELL' : 'BUY';
    const second: OrderSide = ticks > 0 ? 'BUY' : 'SELL';
    for (const maker of inst.makers) this.quote(inst, maker, first);
    for (const maker of inst.makers) this.quote(inst, maker, second);
    for (const hook of this.afterFairValueMove) hook(inst);
  }

  /** Brings a market maker's ladder on one side to the fair value, never crossing anyone's quote. */
  quote(inst: SimInstrument, maker: MarketMaker, side: OrderSide): void {
    if (!this.open(inst)) return;
    const dir = side === 'BUY' ? -1 : 1;
    const other = inst.book.best(side === 'BUY' ? 'SELL' : 'BUY', maker.account.accountId);
    const desired: number[] = [];
    for (let k = 1; k <= MM_LEVELS; k++) {
      const ticks = inst.fv + dir * k;
      if (other === undefined || (side === 'BUY' ? ticks < other : ticks > other)) desired.push(ticks);
    }
    const mine = inst.book.ordersOf(maker.account.accountId, side);
    const kept = new Set<number>();
    const stray: string[] = [];
    for (const [orderId, ticks] of mine) {
      if (desired.includes(ticks) && !kept.has(ticks)) kept.add(ticks);
      else stray.push(orderId);
    }
    const missing = desired.filter((t) => !kept.has(t));
    for (const orderId of stray) {
      const ticks = missing.shift();
      if (ticks === undefined) inst.book.cancel(orderId);
      else if (this.rng.chance(0.1)) {
        inst.book.cancel(orderId);
        inst.book.limit(maker.account, side, ticks, this.rng.lots(...this.makerLots));
      } else inst.book.amend(orderId, { ticks });
    }
    for (const ticks of missing) inst.book.limit(maker.account, side, ticks, this.rng.lots(...this.makerLots));
  }

  /** Records the first and last event time of an episode on its label. */
  touch(label: EpisodeLabel): void {
    const now = new Date(this.scheduler.nowMs).toISOString();
    if (label.start === '') label.start = now;
    label.end = now;
  }

  private startInstrument(inst: SimInstrument, index: number): void {
    const rng = this.rng;
    for (let m = 0; m < MARKET_MAKERS; m++) {
      // One market maker on one instrument per venue amends its sizes all day: heavy but honest.
      const heavy = m === 0 && index % 2 === 0 && (this.options.episodes ?? true);
      const maker: MarketMaker = { account: { accountId: this.newAccountId('MM'), traderId: `mm-algo-${m + 1}` }, heavy };
      inst.makers.push(maker);
      this.makerOf.set(maker.account.accountId, { inst, maker });
      if (heavy) {
        this.labels.push({
          id: `decoy-heavy-mm-${inst.instrument}`,
          kind: 'DECOY',
          decoy: 'HEAVY_MARKET_MAKING',
          venue: inst.venue,
          instrument: inst.instrument,
          accountId: maker.account.accountId,
          start: new Date(this.startMs).toISOString(),
          end: new Date(inst.closeMs ?? this.endMs).toISOString(),
          description: 'a market maker amending its quotes every half second, with fills on both sides',
        });
      }
    }
    this.scheduler.at(this.startMs + index, () => {
      for (const maker of inst.makers) {
        this.quote(inst, maker, 'BUY');
        this.quote(inst, maker, 'SELL');
      }
    });
    // The fair value: a mean-reverting walk of one tick at a time.
    const walk = () => {
      if (!this.open(inst)) return;
      const up = Math.min(0.9, Math.max(0.1, 0.5 - 0.1 * (inst.fv - inst.anchor)));
      this.moveFairValue(inst, rng.chance(up) ? 1 : -1);
      this.scheduler.after(rng.exp(6_000), walk);
    };
    this.scheduler.after(rng.exp(6_000), walk);
    // Takers: a random account crosses the spread for at most the best level's size.
    const take = () => {
      if (!this.open(inst)) return;
      const side: OrderSide = rng.chance(0.5) ? 'BUY' : 'SELL';
      this.takeAt(inst, rng.pick(this.takers[inst.venue]), side, rng.lots(...this.takerLots));
      this.scheduler.after(rng.exp(1_200), take);
    };
    this.scheduler.after(rng.exp(1_200), take);
    for (const maker of inst.makers.filter((m) => m.heavy)) {
      const fidget = () => {
        if (!this.open(inst)) return;
        const mine = [...inst.book.ordersOf(maker.account.accountId, 'BUY'), ...inst.book.ordersOf(maker.account.accountId, 'SELL')];
        if (mine.length > 0) inst.book.amend(rng.pick(mine)[0], { quantity: rng.lots(...this.makerLots) });
        this.scheduler.after(rng.exp(600), fidget);
      };
      this.scheduler.after(rng.exp(600), fidget);
    }
    if (inst.closeMs !== undefined) {
      this.scheduler.at(inst.closeMs, () => {
        inst.book.expireAll();
        inst.closed = true;
      });
    }
  }

  /**
   * An aggressive order of an honest size: at most the best opposite level's quantity (without
   * the account's own orders), so it trades at one price; a MARKET order or a marketable LIMIT.
   * Returns the quantity sent (0 when that level is empty).
   */
  takeAt(inst: SimInstrument, account: SimAccount, side: OrderSide, wanted: number): number {
    const oppositeSide: OrderSide = side === 'BUY' ? 'SELL' : 'BUY';
    const best = inst.book.best(oppositeSide, account.accountId);
    if (best === undefined || best !== inst.book.best(oppositeSide)) return 0;
    const qty = Math.min(wanted, inst.book.quantityAt(oppositeSide, best, account.accountId));
    if (qty < this.takerLots[2]) return 0;
    if (this.rng.chance(0.7)) inst.book.market(account, side, qty);
    else inst.book.limit(account, side, best, qty);
    return qty;
  }

  private stamp(event: UnstampedEvent): void {
    const key = `${event.venue}:${event.instrument}`;
    const us = Math.max(this.scheduler.nowMs * 1000, (this.lastUs.get(key) ?? 0) + 1);
    this.lastUs.set(key, us);
    const ms = Math.floor(us / 1000);
    const ts = `${new Date(ms).toISOString().slice(0, 23)}${String(us % 1000).padStart(3, '0')}Z`;
    const raw = { eventId: `sim-${this.options.idPrefix ?? ''}${this.options.seed}-${String(++this.eventSeq).padStart(9, '0')}`, ts, ...event };
    // Every event goes through the contract: a simulator bug shows here, not as a puzzling alert.
    const parsed = marketOrdersContract.parse(raw);
    this.out.push(parsed);
    if (event.eventType === 'FILL') {
      const inst = this.instruments.find((i) => i.book === this.bookOf.get(key));
      if (inst) inst.lastPrice = event.fillPrice;
    }
    if (event.eventType === 'FILL' && event.leavesQty === 0) {
      const mm = this.makerOf.get(event.accountId);
      if (mm) this.scheduler.after(this.rng.int(20, 200), () => this.quote(mm.inst, mm.maker, event.side));
    }
  }
}

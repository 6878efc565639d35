import type { ComplianceAlert, MarketOrderEvent, MarketOrderEventFields } from '@vigil/contracts';
import { RuleBook } from '../config/rule-book';
import { toAlert } from '../detection/alert';
import { evaluateInstrument } from '../detection/instrument-evaluator';
import type { AccountWindow } from '../windows/account-window';
import { timed } from '../windows/event-time';
import { emptyInstrumentState, type InstrumentState } from '../windows/instrument-state';

/**
 * Unit-test harness: runs events through the detector's in-memory evaluation (no Redis),
 * batch by batch, keeping the state between batches as the store would (JSON round trip
 * included, so state that does not survive serialisation fails here too), and dedupes
 * alerts by fingerprint as the store does.
 */
export function runDetection(
  events: MarketOrderEvent[],
  options: { book?: RuleBook; batchSize?: number; flush?: boolean } = {},
): ComplianceAlert[] {
  const book = options.book ?? RuleBook.load();
  const batchSize = options.batchSize ?? 50;
  const states = new Map<string, { state: InstrumentState; accounts: Map<string, AccountWindow>; seen: Set<string> }>();
  const alerts = new Map<string, ComplianceAlert>();
  const market = (venue: string, instrument: string) => {
    const close = book.venueClose(venue);
    return { venue, instrument, tickSize: book.tickSize(instrument), ...(close ? { close } : {}) };
  };
  const stored = (venue: string, instrument: string) => {
    const key = `${venue}:${instrument}`;
    let entry = states.get(key);
    if (!entry) {
      entry = { state: emptyInstrumentState(), accounts: new Map(), seen: new Set() };
      states.set(key, entry);
    }
    return entry;
  };
  const evaluate = (venue: string, instrument: string, batch: MarketOrderEvent[], flush: boolean) => {
    const entry = stored(venue, instrument);
    const incoming = batch.filter((e) => !entry.seen.has(e.eventId)).map(timed);
    const state = JSON.parse(JSON.stringify(entry.state)) as InstrumentState;
    const accounts = new Map([...entry.accounts].map(([id, w]) => [id, JSON.parse(JSON.stringify(w)) as AccountWindow]));
    const facts = market(venue, instrument);
    const result = evaluateInstrument({ market: facts, state, accounts, incoming }, book.rulesFor(venue, instrument), book.detection.latenessMs, { flush });
    for (const t of result.accepted) entry.seen.add(t.event.eventId);
    entry.state = state;
    entry.accounts = accounts;
    for (const { rule, finding } of result.findings) {
      const alert = toAlert(rule, finding, facts, Date.parse('2026-03-02T18:00:00Z'));
      if (!alerts.has(alert.fingerprint)) alerts.set(alert.fingerprint, alert);
    }
  };
  for (let i = 0; i < events.length; i += batchSize) {
    const batch = events.slice(i, i + batchSize);
    const byInstrument = new Map<string, MarketOrderEvent[]>();
    for (const e of batch) byInstrument.set(`${e.venue}\u0000${e.instrument}`, [...(byInstrument.get(`${e.venue}\u0000${e.instrument}`) ?? []), e]);
    for (const [key, group] of byInstrument) {
      const [venue, instrument] = key.split('\u0000');
      evaluate(venue, instrument, group, false);
    }
  }
  if (options.flush ?? true) {
    for (const key of states.keys()) {
      const [venue, instrument] = [key.slice(0, key.indexOf(':')), key.slice(key.indexOf(':') + 1)];
      evaluate(venue, instrument, [], true);
    }
  }
  return [...alerts.values()];
}

/** Builds order events tersely: times are ms after `base`. */
export class OrderStream {
  readonly events: MarketOrderEvent[] = [];
  private seq = 0;

  constructor(
    private readonly base = Date.parse('2026-03-02T14:00:00Z'),
    private readonly defaults: Partial<MarketOrderEventFields> = { venue: 'XLON', instrument: 'GB00B03MLX29' },
  ) {}

  private push(fields: Partial<MarketOrderEventFields> & { at: number }): MarketOrderEvent {
    const { at, ...rest } = fields;
    const event = {
      eventId: `e-${++this.seq}`,
      ts: new Date(this.base + at).toISOString(),
      ...this.defaults,
      accountId: 'ACC-1',
      side: 'BUY',
      ...rest,
    } as MarketOrderEvent;
    event.beneficialOwnerId ??= event.accountId;
    this.events.push(event);
    return event;
  }

  newOrder(at: number, orderId: string, fields: Partial<MarketOrderEventFields> = {}) {
    return this.push({ at, eventType: 'NEW', orderId, orderType: 'LIMIT', price: 100, quantity: 100, ...fields });
  }

  amend(at: number, orderId: string, fields: Partial<MarketOrderEventFields> = {}) {
    return this.push({ at, eventType: 'AMEND', orderId, orderType: 'LIMIT', price: 100, quantity: 100, ...fields });
  }

  cancel(at: number, orderId: string, fields: Partial<MarketOrderEventFields> = {}) {
    return this.push({ at, eventType: 'CANCEL', orderId, ...fields });
  }

  fill(at: number, orderId: string, tradeId: string, fields: Partial<MarketOrderEventFields> = {}) {
    return this.push({ at, eventType: 'FILL', orderId, tradeId, fillQty: 100, fillPrice: 100, leavesQty: 0, ...fields });
  }

  /** Both FILLs of one trade. */
  trade(at: number, tradeId: string, buy: Partial<MarketOrderEventFields>, sell: Partial<MarketOrderEventFields>, qty = 100, price = 100) {
    this.fill(at, `${tradeId}-B`, tradeId, { side: 'BUY', fillQty: qty, fillPrice: price, aggressor: true, ...buy });
    this.fill(at, `${tradeId}-S`, tradeId, { side: 'SELL', fillQty: qty, fillPrice: price, aggressor: false, ...sell });
  }
}

/** Every other pair of neighbours swapped when they are < 2 s apart, and every 9th event sent twice. */
export function noisy<T extends { ts: string }>(events: T[]): T[] {
  const out = [...events];
  for (let i = 0; i + 1 < out.length; i += 2) {
    if (Math.abs(Date.parse(out[i].ts) - Date.parse(out[i + 1].ts)) < 2000) [out[i], out[i + 1]] = [out[i + 1], out[i]];
  }
  for (let i = 0; i < out.length; i += 10) out.splice(i, 0, out[i]);
  return out;
}

/**
 * A stream with five alerts raised across it (on XLON GB00B03MLX29): a wash trade every 40 s
 * for the owner OWN-1 (three ten-minute buckets) with honest trades between, and account Q
 * sending 250 NEW orders, all cancelled, none filled (an order-to-trade ratio and a
 * cancellation rate). In event-time order.
 */
export function washTradesAndCancelledOrders(): MarketOrderEvent[] {
  const s = new OrderStream();
  for (let i = 0; i < 40; i++) {
    s.trade(i * 40_000, `T${i}`, { accountId: 'A', beneficialOwnerId: 'OWN-1' }, { accountId: i % 5 === 0 ? 'B' : 'Z', beneficialOwnerId: i % 5 === 0 ? 'OWN-1' : 'Z' });
  }
  for (let i = 0; i < 250; i++) s.newOrder(60_000 + i * 100, `Q${i}`, { accountId: 'Q' });
  for (let i = 0; i < 250; i++) s.cancel(90_000 + i * 100, `Q${i}`, { accountId: 'Q' });
  return s.events.sort((a, b) => a.ts.localeCompare(b.ts));
}

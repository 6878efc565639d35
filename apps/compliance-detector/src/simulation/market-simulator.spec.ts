import { createHash } from 'node:crypto';
import { ALERT_TYPES, marketOrderEventSchema, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { RuleBook } from '../config/rule-book';
import { DECOY_KINDS } from './labels';
import { MarketSimulation } from './market-simulator';

const book = RuleBook.load();

function run(seed: number, minutes: number) {
  const sim = new MarketSimulation({ seed, minutes, book });
  const events = [...sim.events()];
  return { sim, events };
}

function digest(events: MarketOrderEvent[]): string {
  const hash = createHash('sha256');
  for (const e of events) hash.update(JSON.stringify(e));
  return hash.digest('hex');
}

describe('MarketSimulation', () => {
  const { sim, events } = run(11, 15);

  it('is deterministic: the same seed gives the same events and labels, another seed another market', () => {
    const again = run(11, 15);
    expect(digest(again.events)).toBe(digest(events));
    expect(again.sim.labels).toEqual(sim.labels);
    expect(digest(run(12, 15).events.slice(0, 5_000))).not.toBe(digest(events.slice(0, 5_000)));
  });

  it('writes only valid market.orders.v1 events, each instrument in strictly increasing event time', () => {
    const last = new Map<string, string>();
    for (const event of events) {
      expect(() => marketOrdersContract.parse(JSON.parse(JSON.stringify(event)))).not.toThrow();
      const key = `${event.venue}:${event.instrument}`;
      const before = last.get(key);
      if (before !== undefined) expect(event.ts > before).toBe(true);
      last.set(key, event.ts);
    }
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
  });

  // The contract's hand-written fast path covers every event the simulator writes (so the demo
  // feed and the detector benchmarks measure it), leaving nothing to the zod schema.
  it('writes events the contract parses without its zod schema, as sent and after a JSON round trip', () => {
    const schemaParse = jest.spyOn(marketOrderEventSchema, 'safeParse');
    try {
      run(5, 3);
      for (const event of events) {
        marketOrdersContract.parse(event);
        marketOrdersContract.parse(JSON.parse(JSON.stringify(event)));
      }
      expect(schemaParse).not.toHaveBeenCalled();
      // The spy itself works: an invalid event does reach the schema.
      expect(() => marketOrdersContract.parse({ ...events[0], ts: 'yesterday' })).toThrow();
      expect(schemaParse).toHaveBeenCalledTimes(1);
    } finally {
      schemaParse.mockRestore();
    }
  });

  it('pairs every FILL with the other side of its trade at the same price and size, and self-trades only in labelled wash trades', () => {
    const trades = new Map<string, MarketOrderEvent[]>();
    for (const e of events) if (e.eventType === 'FILL') trades.set(e.tradeId, [...(trades.get(e.tradeId) ?? []), e]);
    const washOwners = new Set(sim.labels.filter((l) => l.type === 'WASH_TRADE').map((l) => l.beneficialOwnerId));
    for (const [tradeId, fills] of trades) {
      expect({ tradeId, fills: fills.length }).toEqual({ tradeId, fills: 2 });
      const [a, b] = fills as Extract<MarketOrderEvent, { eventType: 'FILL' }>[];
      expect(a.side).not.toBe(b.side);
      expect(a.fillQty).toBe(b.fillQty);
      expect(a.fillPrice).toBe(b.fillPrice);
      expect([a.aggressor, b.aggressor].sort()).toEqual([false, true]);
      if (a.beneficialOwnerId === b.beneficialOwnerId) expect(washOwners.has(a.beneficialOwnerId)).toBe(true);
    }
  });

  it('labels episodes of all eight alert types and every decoy, each with its own account and a time span', () => {
    const types = new Set(sim.labels.filter((l) => l.kind === 'MANIPULATION').map((l) => l.type));
    expect([...types].sort()).toEqual([...ALERT_TYPES].sort());
    expect(new Set(sim.labels.filter((l) => l.kind === 'DECOY').map((l) => l.decoy))).toEqual(new Set(DECOY_KINDS));
    const manipulators = sim.labels.filter((l) => l.kind === 'MANIPULATION').map((l) => l.accountId);
    expect(new Set(manipulators).size).toBe(manipulators.length);
    for (const label of sim.labels) expect(label.start <= label.end && label.start !== '').toBe(true);
  });

  it('stops a closing venue at its close: resting orders expire and nothing follows on its instruments', () => {
    const close = Date.parse('2026-03-02T16:30:00Z');
    const after = events.filter((e) => (e.venue === 'XLON' || e.venue === 'XETR') && Date.parse(e.ts) >= close);
    expect(after.length).toBeGreaterThan(0);
    expect(new Set(after.map((e) => e.eventType))).toEqual(new Set(['EXPIRE']));
    expect(events.some((e) => e.venue === 'XNYS' && Date.parse(e.ts) >= close)).toBe(true);
  });

  it('refuses a non-positive length', () => {
    expect(() => new MarketSimulation({ seed: 1, minutes: 0, book })).toThrow('minutes must be a positive number');
  });
});

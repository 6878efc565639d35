import { exampleFillEvent, exampleOrderEvent, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { RuleBook } from '../config/rule-book';
import { MarketSimulation } from '../simulation/market-simulator';
import type { LogEntry } from './held-instruments';
import { decodeLogEntry, encodeLogEntry } from './log-entry.codec';

// Every event as the detector holds it: through the contract, as the consumer hands it over.
function simulatedByInstrument(): Map<string, MarketOrderEvent[]> {
  const sim = new MarketSimulation({ seed: 7, minutes: 6, book: RuleBook.load() });
  const byInstrument = new Map<string, MarketOrderEvent[]>();
  for (const raw of sim.events()) {
    const event = marketOrdersContract.parse(JSON.parse(JSON.stringify(raw)));
    const tag = `${event.venue}:${event.instrument}`;
    byInstrument.set(tag, [...(byInstrument.get(tag) ?? []), event]);
  }
  return byInstrument;
}

describe('log entry codec', () => {
  const byInstrument = simulatedByInstrument();

  it('gives back every simulated event field for field, every event type and instrument, at under half the bytes of plain JSON', () => {
    const types = new Set<string>();
    let compact = 0;
    let plain = 0;
    for (const events of byInstrument.values()) {
      const entry: LogEntry = { e: events };
      const json = encodeLogEntry(entry);
      const back = decodeLogEntry(json, events[0].venue, events[0].instrument);
      expect(back).toStrictEqual(entry);
      events.forEach((e) => types.add(e.eventType));
      compact += json.length;
      plain += JSON.stringify(entry).length;
    }
    expect([...types].sort()).toEqual(['AMEND', 'CANCEL', 'EXPIRE', 'FILL', 'NEW']);
    expect(compact).toBeLessThan(plain / 2);
  });

  it('keeps optional fields, false and zero values, and a beneficial owner other than the account', () => {
    const events = [
      marketOrdersContract.parse(exampleOrderEvent({ traderId: 'T-9', beneficialOwnerId: 'FUND-1' })),
      marketOrdersContract.parse(exampleOrderEvent({ eventId: 'e-2', beneficialOwnerId: undefined })),
      marketOrdersContract.parse(exampleFillEvent({ aggressor: false, leavesQty: 0 })),
      marketOrdersContract.parse(exampleOrderEvent({ eventId: 'e-4', eventType: 'CANCEL', orderType: undefined, price: undefined, quantity: undefined })),
    ];
    const venue = events[0].venue;
    const instrument = events[0].instrument;
    const entry: LogEntry = { e: events, f: 1, a: 1_767_000_000_123 };
    expect(decodeLogEntry(encodeLogEntry(entry), venue, instrument)).toStrictEqual(entry);
    expect(events[1].beneficialOwnerId).toBe(events[1].accountId);
  });

  it('writes an event with a field it does not know (a newer contract) whole, so nothing is dropped', () => {
    const newer = { ...marketOrdersContract.parse(exampleOrderEvent()), clientOrderId: 'C-1' } as unknown as MarketOrderEvent;
    const entry: LogEntry = { e: [newer, marketOrdersContract.parse(exampleOrderEvent({ eventId: 'e-2' }))] };
    expect(decodeLogEntry(encodeLogEntry(entry), newer.venue, newer.instrument)).toStrictEqual(entry);
  });

  it('reads entries written before the compact form (plain JSON of the entry)', () => {
    const events = [...byInstrument.values()][0].slice(0, 50);
    const entry: LogEntry = { e: events, a: 42 };
    expect(decodeLogEntry(JSON.stringify(entry), events[0].venue, events[0].instrument)).toStrictEqual(entry);
  });
});

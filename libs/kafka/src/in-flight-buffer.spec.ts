import { rawRecord } from '../test-support/fake-ports';
import { InFlightBuffer, sizeOf } from './in-flight-buffer';

const topic = 't4.orders';

describe('InFlightBuffer', () => {
  it('is full once queued plus in-flight records reach the message limit', () => {
    const buffer = new InFlightBuffer({ maxMessages: 3, maxBytes: 1_000_000 });
    buffer.add(rawRecord(topic, 0, {}, { offset: 0n }));
    buffer.add(rawRecord(topic, 0, {}, { offset: 1n }));
    expect(buffer.full).toBe(false);
    const batch = buffer.take(10, 1_000_000);
    expect(batch).toHaveLength(2);
    buffer.add(rawRecord(topic, 0, {}, { offset: 2n }));
    expect(buffer.full).toBe(true); // 1 queued + 2 in flight
    buffer.release(batch);
    expect(buffer.full).toBe(false);
  });

  it('is full once the bytes reach the byte limit', () => {
    const record = rawRecord(topic, 0, { pad: 'x'.repeat(100) }, { offset: 0n });
    const buffer = new InFlightBuffer({ maxMessages: 1000, maxBytes: sizeOf(record) * 2 });
    buffer.add(record);
    expect(buffer.full).toBe(false);
    buffer.add(rawRecord(topic, 0, { pad: 'x'.repeat(100) }, { offset: 1n }));
    expect(buffer.full).toBe(true);
  });

  it('hands out batches in arrival order, bounded by count and bytes, at least one record', () => {
    const buffer = new InFlightBuffer({ maxMessages: 100, maxBytes: 1_000_000 });
    const records = [0n, 1n, 2n, 3n, 4n].map((offset) => rawRecord(topic, 0, { pad: 'y'.repeat(50) }, { offset }));
    records.forEach((record) => buffer.add(record));
    expect(buffer.take(2, 1_000_000).map((r) => r.offset)).toEqual([0n, 1n]);
    expect(buffer.take(10, sizeOf(records[0]) * 2).map((r) => r.offset)).toEqual([2n, 3n]);
    expect(buffer.take(10, 1).map((r) => r.offset)).toEqual([4n]);
    expect(buffer.queued).toBe(0);
  });

  it('drops re-fetched records it already accepted', () => {
    const buffer = new InFlightBuffer({ maxMessages: 100, maxBytes: 1_000_000 });
    expect(buffer.add(rawRecord(topic, 0, {}, { offset: 5n }))).toBe(true);
    expect(buffer.add(rawRecord(topic, 0, {}, { offset: 5n }))).toBe(false);
    expect(buffer.add(rawRecord(topic, 0, {}, { offset: 4n }))).toBe(false);
    expect(buffer.add(rawRecord(topic, 1, {}, { offset: 4n }))).toBe(true); // another partition
    expect(buffer.queued).toBe(2);
  });

  it('after a rebalance keeps only owned partitions, and accepts a revoked one from scratch if it comes back', () => {
    const buffer = new InFlightBuffer({ maxMessages: 100, maxBytes: 1_000_000 });
    buffer.add(rawRecord(topic, 0, {}, { offset: 10n }));
    buffer.add(rawRecord(topic, 1, {}, { offset: 20n }));
    expect(buffer.retainPartitions(new Set([`${topic}:1`]))).toBe(1);
    expect(buffer.take(10, 1_000_000).map((r) => r.partition)).toEqual([1]);
    expect(buffer.add(rawRecord(topic, 0, {}, { offset: 3n }))).toBe(true);
    expect(buffer.add(rawRecord(topic, 1, {}, { offset: 20n }))).toBe(false);
  });

  it('after a stream restart drops the queue but still skips what is in flight', () => {
    const buffer = new InFlightBuffer({ maxMessages: 100, maxBytes: 1_000_000 });
    [0n, 1n, 2n, 3n].forEach((offset) => buffer.add(rawRecord(topic, 0, {}, { offset })));
    const inFlight = buffer.take(2, 1_000_000);
    expect(buffer.restart(inFlight)).toBe(2);
    expect(buffer.queued).toBe(0);
    expect(buffer.add(rawRecord(topic, 0, {}, { offset: 1n }))).toBe(false);
    expect(buffer.add(rawRecord(topic, 0, {}, { offset: 2n }))).toBe(true);
  });
});

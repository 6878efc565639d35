import { leafHash } from '@vigil/merkle';
import { encodeLeaf } from './leaf-encoding';
import { EntryRows } from './entry-rows';

interface ParsedRow {
  logId: string;
  seq: bigint;
  arrivedAtMicros: bigint;
  offset: bigint;
  eventId: string;
  entry: Buffer;
  leafHash: Buffer;
}

/** Reads PostgreSQL binary COPY data back (the format of the PostgreSQL manual, "Binary Format"). */
function parseCopy(data: Buffer): ParsedRow[] {
  expect(data.subarray(0, 11).toString('latin1')).toBe('PGCOPY\n\xff\r\n\0');
  expect(data.readInt32BE(11)).toBe(0);
  expect(data.readInt32BE(15)).toBe(0);
  let p = 19;
  const rows: ParsedRow[] = [];
  const field = () => {
    const length = data.readInt32BE(p);
    const value = data.subarray(p + 4, p + 4 + length);
    p += 4 + length;
    return value;
  };
  for (;;) {
    const count = data.readInt16BE(p);
    p += 2;
    if (count === -1) break;
    expect(count).toBe(7);
    rows.push({
      logId: field().toString('utf8'),
      seq: field().readBigInt64BE(),
      arrivedAtMicros: field().readBigInt64BE(),
      offset: field().readBigInt64BE(),
      eventId: field().toString('utf8'),
      entry: Buffer.from(field()),
      leafHash: Buffer.from(field()),
    });
  }
  expect(p).toBe(data.length);
  return rows;
}

const EVENTS: Array<{ eventId: string } & Record<string, unknown>> = [
  { eventId: 'e-1', ts: '2026-12-03T17:29:59Z', service: 'vault', actor: { type: 'service', id: 'reporter' }, action: 'secrets.read', resource: 'secret:db/reporter', outcome: 'allowed' },
  { eventId: 'é-2 ☃ 😀', zeta: [1, 2.5, -0, 1e21, null, true], alpha: { b: 'quote " backslash \\ newline \n tab \t \u0001', a: '' }, '\u20ac': 'euro', '\r': 'cr' },
  { eventId: 'x'.repeat(300), big: 'y'.repeat(400_000) }, // larger than one chunk buffer
];

describe('EntryRows (binary COPY of leaves)', () => {
  it('writes each leaf byte for byte as encodeLeaf does, with its leaf hash, across chunks', () => {
    const arrivedAt = new Date('2026-12-03T17:30:00.123Z');
    const rows = new EntryRows({ logId: 'audit.events.v1-3', topic: 'audit.events.v1', partition: 3, arrivedAt });
    const seqs = [41, 2 ** 32 + 7, 9_007_199_254_740_000];
    const hashes = EVENTS.map((event, i) => rows.add(seqs[i]!, BigInt(1041 + i), event.eventId, event));
    const first = rows.take()!;
    expect(rows.take()).toBeUndefined();
    const parsed = parseCopy(Buffer.concat([first, EntryRows.trailer]));
    expect(parsed).toHaveLength(3);
    parsed.forEach((row, i) => {
      const expected = encodeLeaf({ log: 'audit.events.v1-3', seq: seqs[i]!, arrivedAt: '2026-12-03T17:30:00.123Z', source: { topic: 'audit.events.v1', partition: 3, offset: 1041 + i }, event: EVENTS[i] });
      expect(row.entry.toString('utf8')).toBe(expected.toString('utf8'));
      expect(row.entry.equals(expected)).toBe(true);
      expect(row.leafHash.equals(leafHash(expected))).toBe(true);
      expect(hashes[i]!.equals(row.leafHash)).toBe(true);
      expect(row).toMatchObject({ logId: 'audit.events.v1-3', seq: BigInt(seqs[i]!), offset: BigInt(1041 + i), eventId: EVENTS[i]!.eventId });
      // Microseconds since 2000-01-01T00:00:00Z, PostgreSQL's timestamptz.
      expect(row.arrivedAtMicros).toBe(BigInt(arrivedAt.getTime() - Date.UTC(2000, 0, 1)) * 1000n);
    });
  });

  it('hands out the rows in pieces that concatenate to one COPY stream', () => {
    const rows = new EntryRows({ logId: 'market.orders.v1-0', topic: 'market.orders.v1', partition: 0, arrivedAt: new Date() });
    const pieces: Buffer[] = [];
    for (let i = 0; i < 2000; i++) {
      rows.add(i, BigInt(i), `e-${i}`, { eventId: `e-${i}`, n: i });
      if (i % 300 === 0) pieces.push(rows.take()!);
    }
    pieces.push(rows.take()!);
    expect(rows.count).toBe(2000);
    expect(parseCopy(Buffer.concat([...pieces, EntryRows.trailer])).map((row) => Number(row.seq))).toEqual(Array.from({ length: 2000 }, (_, i) => i));
  });

  it('refuses an event that has no canonical form, naming where', () => {
    const rows = new EntryRows({ logId: 'audit.events.v1-0', topic: 'audit.events.v1', partition: 0, arrivedAt: new Date() });
    expect(() => rows.add(0, 0n, 'e', { eventId: 'e', price: Number.NaN })).toThrow(/\(root\)\.price is NaN/);
  });
});

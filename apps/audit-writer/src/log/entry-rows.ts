import { hash } from 'node:crypto';
import { canonicalJson, canonicalString } from './canonical-json';
import { LEAF_ENCODING_V1 } from './leaf-encoding';

/** The statement the rows of EntryRows are streamed to (PostgreSQL binary COPY, column order below). */
export const ENTRY_COPY_SQL = 'copy audit.entries (log_id, seq, arrived_at, source_offset, event_id, entry, leaf_hash) from stdin (format binary)';

const COPY_HEADER = Buffer.concat([Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'), Buffer.alloc(8)]); // signature, flags 0, no header extension
const COPY_TRAILER = Buffer.from([0xff, 0xff]);
const FIELDS = 7;
const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const CHUNK_BYTES = 256 * 1024;
const TWO_32 = 2 ** 32;

/** What is constant for every entry of one partition's batch. */
export interface EntryBatch {
  logId: string;
  /** Base topic (no deployment prefix) and partition of the source. */
  topic: string;
  partition: number;
  arrivedAt: Date;
}

/**
 * The entries of one batch as PostgreSQL binary COPY data, in chunks that can be streamed while
 * later entries are still being encoded.
 *
 * Each leaf is written straight into the COPY buffer as the v1 leaf encoding (README "Leaf
 * encoding"): 0x01 ‖ JCS of { arrivedAt, event, log, seq, source, v }. The members of that
 * outer object are fixed, so they are written in their sorted order around the event's own
 * canonical JSON instead of being sorted per entry; `leaf-encoding.spec.ts` checks that this
 * gives exactly encodeLeaf's bytes. The leaf hash SHA-256(0x00 ‖ entry) is taken over the
 * buffer in place: the byte before the entry (the low byte of its length field) is set to 0x00
 * for the hash and then overwritten with the length, so no entry is ever copied.
 */
export class EntryRows {
  private readonly logIdBytes: Buffer;
  private readonly arrivedAtMicros: bigint;
  private readonly leafHead: string;
  private readonly leafSourceTail: string;
  private readonly leafTail: string;
  private chunks: Buffer[] = [];
  private buf: Buffer;
  private pos: number;
  private rows = 0;

  constructor(batch: EntryBatch) {
    this.logIdBytes = Buffer.from(batch.logId, 'utf8');
    this.arrivedAtMicros = BigInt(batch.arrivedAt.getTime() - PG_EPOCH_MS) * 1000n;
    this.leafHead = `${String.fromCharCode(LEAF_ENCODING_V1)}{"arrivedAt":${canonicalString(batch.arrivedAt.toISOString())},"event":`;
    this.leafSourceTail = `,"log":${canonicalString(batch.logId)},"seq":`;
    this.leafTail = `,"partition":${canonicalJson(batch.partition)},"topic":${canonicalString(batch.topic)}},"v":${LEAF_ENCODING_V1}}`;
    this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    COPY_HEADER.copy(this.buf, 0);
    this.pos = COPY_HEADER.length;
  }

  get count(): number {
    return this.rows;
  }

  /** Appends one entry row; returns its leaf hash. `event` is the contract value (canonicalised here). */
  add(seq: number, offset: bigint, eventId: string, event: unknown): Buffer {
    const leaf = `${this.leafHead}${canonicalJson(event)}${this.leafSourceTail}${seq},"source":{"offset":${Number(offset)}${this.leafTail}`;
    // Fixed fields: count 2, log_id 4+n, seq 4+8, arrived_at 4+8, source_offset 4+8, event_id 4, entry 4, leaf_hash 4+32.
    const worst = 2 + 4 + this.logIdBytes.length + 36 + 4 + eventId.length * 3 + 4 + leaf.length * 3 + 36;
    if (this.buf.length - this.pos < worst) this.nextChunk(worst);
    const buf = this.buf;
    let p = buf.writeInt16BE(FIELDS, this.pos);
    p = buf.writeInt32BE(this.logIdBytes.length, p);
    p += this.logIdBytes.copy(buf, p);
    p = buf.writeInt32BE(8, p);
    p = buf.writeUInt32BE(Math.floor(seq / TWO_32), p);
    p = buf.writeUInt32BE(seq >>> 0, p);
    p = buf.writeInt32BE(8, p);
    p = buf.writeBigInt64BE(this.arrivedAtMicros, p);
    p = buf.writeInt32BE(8, p);
    p = buf.writeBigInt64BE(offset, p);
    const idLength = buf.write(eventId, p + 4, 'utf8');
    buf.writeInt32BE(idLength, p);
    p += 4 + idLength;
    const entryAt = p + 4;
    const entryLength = buf.write(leaf, entryAt, 'utf8');
    buf[entryAt - 1] = 0x00;
    const leafHash = hash('sha256', buf.subarray(entryAt - 1, entryAt + entryLength), 'buffer');
    buf.writeInt32BE(entryLength, p);
    p = entryAt + entryLength;
    p = buf.writeInt32BE(32, p);
    p += leafHash.copy(buf, p);
    this.pos = p;
    this.rows++;
    return leafHash;
  }

  /** The rows written since the last call (the first one starts with the COPY header); empty when none. */
  take(): Buffer | undefined {
    if (this.chunks.length === 0 && this.pos === 0) return undefined;
    const taken = [...this.chunks, this.buf.subarray(0, this.pos)];
    this.chunks = [];
    this.buf = this.buf.subarray(this.pos);
    if (this.buf.length < CHUNK_BYTES / 4) this.buf = Buffer.allocUnsafe(CHUNK_BYTES);
    this.pos = 0;
    return taken.length === 1 ? taken[0] : Buffer.concat(taken);
  }

  /** The end of the COPY data, after the last take(). */
  static readonly trailer = COPY_TRAILER;

  private nextChunk(atLeast: number): void {
    this.chunks.push(this.buf.subarray(0, this.pos));
    this.buf = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, atLeast));
    this.pos = 0;
  }
}

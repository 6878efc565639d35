import { partitionKey, type RawRecord } from './kafka-port';

export interface InFlightLimits {
  /** Records fetched but not yet committed (queued + in the handler), before fetching pauses. */
  maxMessages: number;
  /** The same bound in bytes (key + value + headers). */
  maxBytes: number;
}

/**
 * Records between the fetch and the commit. It bounds memory (the runner pauses
 * fetching while `full`), hands out batches in arrival order, and drops what must not
 * be handled: records re-fetched after a rebalance that are already queued or in the
 * handler, and records of partitions this member no longer owns.
 */
export class InFlightBuffer {
  private queue: RawRecord[] = [];
  private queuedBytes = 0;
  private inFlightMessages = 0;
  private inFlightBytes = 0;
  /** Per partition, the offset after the last record accepted: anything below is a re-fetch. */
  private readonly nextOffsets = new Map<string, bigint>();

  constructor(private readonly limits: InFlightLimits) {}

  /** Queues a record; false when it was a duplicate of one already accepted. */
  add(record: RawRecord): boolean {
    const key = partitionKey(record.topic, record.partition);
    const next = this.nextOffsets.get(key);
    if (next !== undefined && record.offset < next) return false;
    this.nextOffsets.set(key, record.offset + 1n);
    this.queue.push(record);
    this.queuedBytes += sizeOf(record);
    return true;
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Everything held: queued plus in the handler. */
  get held(): { messages: number; bytes: number } {
    return { messages: this.queue.length + this.inFlightMessages, bytes: this.queuedBytes + this.inFlightBytes };
  }

  /** Queued plus in-flight records reached a limit: stop fetching. */
  get full(): boolean {
    return (
      this.queue.length + this.inFlightMessages >= this.limits.maxMessages ||
      this.queuedBytes + this.inFlightBytes >= this.limits.maxBytes
    );
  }

  /** Moves up to `maxMessages` / `maxBytes` (at least one record) from the queue to in flight. */
  take(maxMessages: number, maxBytes: number): RawRecord[] {
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && count < maxMessages) {
      const size = sizeOf(this.queue[count]);
      if (count > 0 && bytes + size > maxBytes) break;
      bytes += size;
      count += 1;
    }
    const batch = this.queue.splice(0, count);
    this.queuedBytes -= bytes;
    this.inFlightMessages += count;
    this.inFlightBytes += bytes;
    return batch;
  }

  /** The batch was committed (or abandoned on shutdown). */
  release(batch: readonly RawRecord[]): void {
    this.inFlightMessages -= batch.length;
    this.inFlightBytes -= batch.reduce((sum, record) => sum + sizeOf(record), 0);
  }

  /** After a rebalance: forget every partition not in `owned` (keys `topic:partition`). */
  retainPartitions(owned: ReadonlySet<string>): number {
    const before = this.queue.length;
    this.queue = this.queue.filter((record) => owned.has(partitionKey(record.topic, record.partition)));
    this.queuedBytes = this.queue.reduce((sum, record) => sum + sizeOf(record), 0);
    for (const key of [...this.nextOffsets.keys()]) {
      if (!owned.has(key)) this.nextOffsets.delete(key);
    }
    return before - this.queue.length;
  }

  /**
   * After the fetch stream restarted from the committed offsets: drop the queue (it will
   * be fetched again) but keep skipping what the in-flight batch already holds.
   */
  restart(inFlight: readonly RawRecord[]): number {
    const dropped = this.queue.length;
    this.queue = [];
    this.queuedBytes = 0;
    this.nextOffsets.clear();
    for (const record of inFlight) {
      const key = partitionKey(record.topic, record.partition);
      const next = this.nextOffsets.get(key);
      if (next === undefined || record.offset + 1n > next) this.nextOffsets.set(key, record.offset + 1n);
    }
    return dropped;
  }
}

export function sizeOf(record: RawRecord): number {
  let size = (record.key?.length ?? 0) + (record.value?.length ?? 0);
  for (const [name, value] of record.headers) size += name.length + value.length;
  return size;
}

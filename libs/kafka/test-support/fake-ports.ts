import type {
  OutgoingRecord,
  PartitionLag,
  PartitionOffset,
  RawRecord,
  RecordReader,
  RecordSink,
  RecordWriter,
} from '../src/kafka-port';

/** A RecordReader driven by the test: it delivers records and records commits, pauses and closes. */
export class FakeReader implements RecordReader {
  sink: RecordSink | undefined;
  topics: readonly string[] = [];
  paused = false;
  pauses = 0;
  resumes = 0;
  closed = false;
  readonly commits: PartitionOffset[][] = [];
  /** Make the next N commits fail. */
  failCommits = 0;
  /** While set, commits wait for it (to hold a commit in flight). */
  commitGate: Promise<void> | undefined;
  lags: PartitionLag[] = [];
  /** While set, start() waits for it (a group join in progress). */
  startGate: Promise<void> | undefined;
  /** True when close() came while start() was still joining. */
  closedWhileStarting = false;
  private starting = false;

  async start(topics: readonly string[], sink: RecordSink): Promise<void> {
    this.starting = true;
    await this.startGate;
    this.starting = false;
    this.topics = topics;
    this.sink = sink;
  }

  deliver(records: RawRecord[]): void {
    if (!this.sink) throw new Error('FakeReader: deliver() before start()');
    for (const record of records) this.sink.record(record);
  }

  pause(): void {
    this.paused = true;
    this.pauses += 1;
  }

  resume(): void {
    this.paused = false;
    this.resumes += 1;
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    await this.commitGate;
    if (this.failCommits > 0) {
      this.failCommits -= 1;
      throw new Error('fake commit failure');
    }
    this.commits.push([...offsets]);
  }

  /** The last committed offset of a partition, as a number (undefined if none). */
  committed(topic: string, partition: number): number | undefined {
    let found: bigint | undefined;
    for (const batch of this.commits) {
      for (const offset of batch) {
        if (offset.topic === topic && offset.partition === partition) found = offset.offset;
      }
    }
    return found === undefined ? undefined : Number(found);
  }

  async lag(): Promise<PartitionLag[]> {
    return this.lags;
  }

  async close(): Promise<void> {
    if (this.starting) this.closedWhileStarting = true;
    this.closed = true;
  }
}

/** A RecordWriter that keeps what it was sent; can be told to fail. */
export class FakeWriter implements RecordWriter {
  readonly sent: OutgoingRecord[] = [];
  failSends = 0;
  closed = false;

  async send(records: readonly OutgoingRecord[]): Promise<void> {
    if (this.failSends > 0) {
      this.failSends -= 1;
      throw new Error('fake send failure');
    }
    this.sent.push(...records);
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

let nextOffset = 0n;

/** A fetched record with a JSON value (or raw bytes). */
export function rawRecord(
  topic: string,
  partition: number,
  value: unknown,
  extra: Partial<RawRecord> = {},
): RawRecord {
  return {
    topic,
    partition,
    offset: extra.offset ?? nextOffset++,
    leaderEpoch: 0,
    key: Buffer.from('GB00B03MLX29'),
    value: Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value)),
    headers: [['trace-id', Buffer.from('trace-1')]],
    timestamp: 1_772_461_800_000n,
    ...extra,
  };
}

/** Polls until `condition` holds (no timing assertions: Jest's timeout bounds it). */
export async function until(condition: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; !condition(); i += 1) {
    if (i > 20_000) throw new Error(`until: ${what} never became true`);
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

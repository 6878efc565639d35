/**
 * The narrow surface of a Kafka client that the producer, the consumer runner and the
 * topic bootstrap are written against. The @platformatic/kafka adapters implement it;
 * unit tests implement it with fakes. Nothing outside libs/kafka sees these types.
 */

/** A record as fetched: bytes untouched, so a dead letter can keep them exactly. */
export interface RawRecord {
  topic: string;
  partition: number;
  offset: bigint;
  /** Epoch of the partition leader that wrote the record; sent back with commits (KIP-320). */
  leaderEpoch: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyArray<readonly [string, Buffer]>;
  /** Milliseconds since the epoch, as set by the producer or the broker. */
  timestamp: bigint;
}

export interface OutgoingRecord {
  topic: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: ReadonlyArray<readonly [string, Buffer]>;
}

/** Idempotent, acks-all writes. Resolves once every record is acknowledged. */
export interface RecordWriter {
  send(records: readonly OutgoingRecord[]): Promise<void>;
  close(): Promise<void>;
}

export interface PartitionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume (last processed + 1). */
  offset: bigint;
  leaderEpoch: number;
}

export interface PartitionLag {
  topic: string;
  partition: number;
  /** High watermark minus the group's committed offset. */
  lag: bigint;
}

/** Callbacks from a RecordReader to its runner. */
export interface RecordSink {
  /** One fetched record of a partition this member owns, in partition order. */
  record(record: RawRecord): void;
  /**
   * The group (re)assigned partitions (`topic:partition` keys). Buffered records of any
   * other partition must be dropped: their new owner reads them from the committed offset.
   */
  assigned(partitions: ReadonlySet<string>): void;
  /**
   * The fetch stream was recreated after an error and restarts from the committed
   * offsets: every buffered record not yet handed to the handler will come again.
   */
  restarted(): void;
}

/** A consumer-group member over some topics, with manual commits and pause/resume. */
export interface RecordReader {
  /** Joins the group and starts delivering records to the sink. */
  start(topics: readonly string[], sink: RecordSink): Promise<void>;
  /** Stops fetching (records of a fetch already in flight may still arrive). */
  pause(): void;
  resume(): void;
  commit(offsets: readonly PartitionOffset[]): Promise<void>;
  lag(): Promise<PartitionLag[]>;
  /** Stops fetching, leaves the group and closes connections. */
  close(): Promise<void>;
}

export function partitionKey(topic: string, partition: number): string {
  return `${topic}:${partition}`;
}

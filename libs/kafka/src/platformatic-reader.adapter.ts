import {
  Consumer,
  MessagesStreamFallbackModes,
  MessagesStreamModes,
  stringDeserializer,
  type Message,
  type MessagesStream,
} from '@platformatic/kafka';
import type { KafkaLogger } from './kafka-logger';
import type { KafkaConnectionOptions } from './kafka-options';
import {
  partitionKey,
  type PartitionLag,
  type PartitionOffset,
  type RawRecord,
  type RecordReader,
  type RecordSink,
} from './kafka-port';
import { backoffDelay, DEFAULT_RETRY_POLICY, sleep } from './retry-policy';

/** Group-membership and fetch settings; the defaults suit Vigil's services. */
export interface ReaderSettings {
  groupId: string;
  /** Without a heartbeat for this long the broker evicts the member (default 30 s). */
  sessionTimeoutMs?: number;
  /** Default 3 s; must be well below the session timeout. */
  heartbeatIntervalMs?: number;
  /** How long a rebalance waits for members to rejoin (default 60 s). */
  rebalanceTimeoutMs?: number;
  /** Longest a fetch waits for new data before returning empty (default 500 ms). */
  maxWaitMs?: number;
  /** Upper bound of one fetch response (default 8 MiB). */
  maxFetchBytes?: number;
  /** A group with no committed offset starts at the beginning (default) or at the end. */
  startFrom?: 'earliest' | 'latest';
}

type KafkaMessage = Message<Buffer, Buffer, string, Buffer>;

/**
 * RecordReader over a @platformatic/kafka Consumer and its MessagesStream, with
 * autocommit off: offsets move only through commit(). The stream reads from the group's
 * committed offsets. If it fails (e.g. the broker went away for longer than the client's
 * own retries) it is recreated with back-off, and the sink is told to drop what it
 * buffered, since the new stream starts again from the committed offsets.
 */
export class PlatformaticRecordReader implements RecordReader {
  private readonly consumer: Consumer<Buffer, Buffer, string, Buffer>;
  private stream: MessagesStream<Buffer, Buffer, string, Buffer> | undefined;
  private topics: readonly string[] = [];
  private sink: RecordSink | undefined;
  private owned: ReadonlySet<string> = new Set();
  private paused = false;
  private closing = false;
  private restarts = 0;

  constructor(
    options: KafkaConnectionOptions,
    private readonly settings: ReaderSettings,
    private readonly logger: KafkaLogger,
  ) {
    const sessionTimeout = settings.sessionTimeoutMs ?? 30_000;
    this.consumer = new Consumer<Buffer, Buffer, string, Buffer>({
      clientId: options.clientId,
      bootstrapBrokers: options.brokers,
      groupId: settings.groupId,
      autocommit: false,
      sessionTimeout,
      heartbeatInterval: settings.heartbeatIntervalMs ?? 3_000,
      rebalanceTimeout: Math.max(sessionTimeout, settings.rebalanceTimeoutMs ?? 60_000),
      maxWaitTime: settings.maxWaitMs ?? 500,
      maxBytes: settings.maxFetchBytes ?? 8 * 1024 * 1024,
      // Records wait in the runner's bounded buffer, not in the stream: keep the stream's small.
      highWaterMark: 64,
      deserializers: { headerKey: stringDeserializer },
    });
    this.consumer.on('consumer:group:join', ({ assignments }) => {
      const owned = new Set<string>();
      for (const { topic, partitions } of assignments ?? []) {
        for (const partition of partitions) owned.add(partitionKey(topic, partition));
      }
      this.owned = owned;
      this.sink?.assigned(owned);
    });
    this.consumer.on('consumer:heartbeat:error', ({ error }) => {
      this.logger.debug({ err: error, groupId: settings.groupId }, 'kafka heartbeat failed');
    });
  }

  async start(topics: readonly string[], sink: RecordSink): Promise<void> {
    this.topics = topics;
    this.sink = sink;
    await this.openStream();
  }

  pause(): void {
    this.paused = true;
    this.stream?.pause();
  }

  resume(): void {
    this.paused = false;
    this.stream?.resume();
  }

  async commit(offsets: readonly PartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    // Consumer#commit, not the stream's: a commit failing during a rebalance rejoins and
    // retries here, where the stream's own commit path would destroy the stream.
    await this.consumer.commit({ offsets: offsets.map((offset) => ({ ...offset })) });
  }

  async lag(): Promise<PartitionLag[]> {
    const lags = await this.consumer.getLag({ topics: [...this.topics] });
    const result: PartitionLag[] = [];
    for (const [topic, partitions] of lags) {
      partitions.forEach((lag, partition) => result.push({ topic, partition, lag }));
    }
    return result;
  }

  async close(): Promise<void> {
    this.closing = true;
    const stream = this.stream;
    this.stream = undefined;
    if (stream) await stream.close().catch(() => undefined);
    await this.consumer.close(); // leaves the group, so partitions move at once
  }

  private async openStream(): Promise<void> {
    const stream = await this.consumer.consume({
      topics: [...this.topics],
      autocommit: false,
      mode: MessagesStreamModes.COMMITTED,
      fallbackMode:
        this.settings.startFrom === 'latest' ? MessagesStreamFallbackModes.LATEST : MessagesStreamFallbackModes.EARLIEST,
    });
    this.stream = stream;
    stream.on('data', (message: KafkaMessage) => {
      // A fetch answered after a rebalance may still carry partitions we no longer own.
      if (!this.owned.has(partitionKey(message.topic, message.partition))) return;
      this.sink?.record(toRawRecord(message));
    });
    stream.on('error', (error: Error) => void this.recover(stream, error));
    if (this.paused) stream.pause();
  }

  private async recover(failed: MessagesStream<Buffer, Buffer, string, Buffer>, error: Error): Promise<void> {
    if (this.closing || this.stream !== failed) return;
    this.stream = undefined;
    await failed.close().catch(() => undefined);
    for (;;) {
      this.restarts += 1;
      const delayMs = backoffDelay(DEFAULT_RETRY_POLICY, Math.min(this.restarts, 8));
      this.logger.warn(
        { err: error, groupId: this.settings.groupId, delayMs, restarts: this.restarts },
        'kafka fetch stream failed; recreating it',
      );
      await sleep(delayMs);
      if (this.closing) return;
      try {
        this.sink?.restarted();
        await this.openStream();
        this.restarts = 0;
        return;
      } catch (retryError) {
        error = retryError as Error;
      }
    }
  }
}

function toRawRecord(message: KafkaMessage): RawRecord {
  return {
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    leaderEpoch: message.leaderEpoch,
    key: message.key ?? null,
    value: message.value ?? null,
    headers: message.headerEntries,
    timestamp: message.timestamp,
  };
}

import type { Contract } from '@vigil/contracts';
import type { KafkaMetrics } from '@vigil/observability';
import {
  PoisonMessages,
  type BatchHandler,
  type BatchResult,
  type ConsumedMessage,
  type RejectedMessage,
} from './consumed-message';
import { deadLetterRecord } from './dead-letter';
import { DecodeError } from './decode-error';
import type { EventCodec } from './event.codec';
import { InFlightBuffer } from './in-flight-buffer';
import type { KafkaLogger } from './kafka-logger';
import { prefixedTopic } from './kafka-options';
import {
  partitionKey,
  type PartitionOffset,
  type RawRecord,
  type RecordReader,
  type RecordSink,
  type RecordWriter,
} from './kafka-port';
import { backoffDelay, checkRetryPolicy, DEFAULT_RETRY_POLICY, sleep, type RetryPolicy } from './retry-policy';

/** How a consumer group member consumes; everything but groupId, contracts and handler has a default. */
export interface ConsumerRunnerSettings<T> {
  /** The consumer group; members sharing it split the partitions. */
  groupId: string;
  /** One contract per consumed topic (the topic is `topicPrefix + contract.topic`). */
  contracts: ReadonlyArray<Contract<T>>;
  handler: BatchHandler<T>;
  topicPrefix?: string;
  /** Most messages handed to one handler call (default 500). */
  maxBatchMessages?: number;
  /** Most bytes handed to one handler call; a single larger message still goes alone (default 4 MiB). */
  maxBatchBytes?: number;
  /** Records fetched but not committed before fetching pauses (default 5000). */
  maxInFlightMessages?: number;
  /** The same bound in bytes (default 32 MiB). */
  maxInFlightBytes?: number;
  /** Back-off for a failing handler, dead-letter write or commit (default: 200 ms doubling to 30 s, forever). */
  retry?: Partial<RetryPolicy>;
  /** How often consumer lag is refreshed into the metrics; 0 turns it off (default 15 s). */
  lagIntervalMs?: number;
  metrics?: KafkaMetrics;
  logger: KafkaLogger;
}

export interface ConsumerRunnerPorts {
  reader: RecordReader;
  /** Writes dead letters; closed by the runner on stop. */
  deadLetters: RecordWriter;
  codec: EventCodec;
}

/** The runner gave up on a batch after `retry.maxAttempts` attempts; nothing past it was committed. */
export class RetriesExhausted extends Error {
  constructor(what: string, attempts: number, cause: unknown) {
    super(`${what} failed ${attempts} time(s); giving up without committing past it`, { cause });
    this.name = 'RetriesExhausted';
  }
}

interface DeadLetter {
  record: RawRecord;
  reason: string;
}

/** A batch the handler finished (and whose dead letters are written), awaiting its commit. */
interface HandledBatch<T> {
  batch: RawRecord[];
  handled: ConsumedMessage<T>[];
  deadLetters: DeadLetter[];
  topics: Set<string>;
  started: number;
}

/**
 * A consumer-group member that hands decoded, validated batches to a handler and
 * commits each batch's offsets only after the handler (and any dead-letter write)
 * succeeded: at-least-once delivery, so handlers make their effects idempotent.
 *
 * One batch is in the handler at a time, so records of a partition are handled in
 * order; the previous batch's commit may still be in flight while the next one is
 * handled. A message that cannot be decoded or validated, or that the handler rejects,
 * goes to `<topic>.dlq` and its partition moves on; a handler that throws gets the same
 * batch again after a back-off, never a later one.
 *
 * Heartbeats: @platformatic/kafka sends them from its own timer, independently of the
 * handler, so a handler may await for longer than the session timeout without the
 * member being evicted (an integration test checks this). What does stop heartbeats is a
 * handler that blocks the event loop; keep CPU-heavy work in slices or off the loop.
 */
export class ConsumerRunner<T> {
  private readonly policy: RetryPolicy;
  private readonly buffer: InFlightBuffer;
  private readonly contracts = new Map<string, Contract<T>>();
  private readonly stopController = new AbortController();
  private readonly maxBatchMessages: number;
  private readonly maxBatchBytes: number;
  /** Batches taken from the buffer and not yet committed, oldest first. */
  private readonly uncommitted: RawRecord[][] = [];
  private readonly toCommit: HandledBatch<T>[] = [];
  private committing: Promise<void> | undefined;
  private paused = false;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private lagTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private starting: Promise<void> | undefined;
  private joined = false;
  private settle!: { resolve: () => void; reject: (error: unknown) => void };
  /** Settles when the runner has stopped: resolves after stop(), rejects if it gave up on a batch. */
  readonly done: Promise<void>;

  constructor(
    private readonly settings: ConsumerRunnerSettings<T>,
    private readonly ports: ConsumerRunnerPorts,
  ) {
    if (!settings.groupId) throw new Error('consumer runner: "groupId" must be a non-empty string');
    if (settings.contracts.length === 0) throw new Error('consumer runner: "contracts" must name at least one topic');
    for (const contract of settings.contracts) {
      this.contracts.set(prefixedTopic(settings.topicPrefix, contract.topic), contract);
    }
    this.policy = { ...DEFAULT_RETRY_POLICY, ...settings.retry };
    checkRetryPolicy(this.policy);
    this.maxBatchMessages = positive('maxBatchMessages', settings.maxBatchMessages ?? 500);
    this.maxBatchBytes = positive('maxBatchBytes', settings.maxBatchBytes ?? 4 * 1024 * 1024);
    this.buffer = new InFlightBuffer({
      maxMessages: Math.max(this.maxBatchMessages, positive('maxInFlightMessages', settings.maxInFlightMessages ?? 5000)),
      maxBytes: Math.max(this.maxBatchBytes, positive('maxInFlightBytes', settings.maxInFlightBytes ?? 32 * 1024 * 1024)),
    });
    this.done = new Promise<void>((resolve, reject) => (this.settle = { resolve, reject }));
    // A caller that only awaits stop() must not see an unhandled rejection from `done`.
    this.done.catch(() => undefined);
  }

  /** The topics this runner consumes, prefix included. */
  get topics(): string[] {
    return [...this.contracts.keys()];
  }

  /** Records fetched and not yet committed (queued plus in the handler): bounded by maxInFlight*. */
  get held(): { messages: number; bytes: number } {
    return this.buffer.held;
  }

  /** Joins the group and starts handling batches; resolves once subscribed. */
  async start(): Promise<void> {
    if (this.loop) throw new Error('consumer runner: start() was already called');
    const sink: RecordSink = {
      record: (record) => this.onRecord(record),
      assigned: (partitions) => this.onAssigned(partitions),
      restarted: () => this.onRestarted(),
    };
    this.loop = Promise.resolve(); // marks started before the await, so a second start() fails
    this.starting = this.ports.reader.start(this.topics, sink);
    await this.starting;
    this.joined = true;
    // A stop() that came while joining the group has already waited for the join and closed.
    if (this.stopped) return;
    this.settings.logger.info({ groupId: this.settings.groupId, topics: this.topics }, 'kafka consumer started');
    this.loop = this.run().catch((error: unknown) => this.fail(error));
    const interval = this.settings.lagIntervalMs ?? 15_000;
    if (this.settings.metrics && interval > 0) {
      this.lagTimer = setInterval(() => void this.refreshLag(), interval);
      this.lagTimer.unref();
    }
  }

  /**
   * Graceful shutdown: stop fetching, let the batch in the handler finish and commit it,
   * leave the group, close. Records fetched but not yet handed to the handler are left
   * uncommitted for the partition's next owner. Safe to call more than once.
   */
  stop(): Promise<void> {
    this.stopping ??= this.shutdown();
    return this.stopping;
  }

  private async shutdown(error?: unknown): Promise<void> {
    this.stopController.abort();
    clearInterval(this.lagTimer);
    // Closing the reader while it is still joining the group makes the client fail
    // asynchronously, outside any await; let the join finish (or fail) first.
    if (this.starting && !this.joined) await this.starting.catch(() => undefined);
    this.ports.reader.pause();
    this.wake?.();
    if (error === undefined) await this.loop;
    const closing = await Promise.allSettled([this.ports.reader.close(), this.ports.deadLetters.close()]);
    for (const result of closing) {
      if (result.status === 'rejected') {
        this.settings.logger.warn({ err: result.reason, groupId: this.settings.groupId }, 'kafka consumer close failed');
      }
    }
    this.settings.logger.info({ groupId: this.settings.groupId }, 'kafka consumer stopped');
    if (error === undefined) this.settle.resolve();
    else this.settle.reject(error);
  }

  private fail(error: unknown): void {
    this.settings.logger.error({ err: error, groupId: this.settings.groupId }, 'kafka consumer gave up');
    this.stopping ??= this.shutdown(error);
  }

  private get stopped(): boolean {
    return this.stopController.signal.aborted;
  }

  private onRecord(record: RawRecord): void {
    if (this.stopped) return;
    if (!this.buffer.add(record)) return;
    if (this.buffer.full && !this.paused) {
      this.paused = true;
      this.ports.reader.pause();
    }
    this.wake?.();
  }

  private onAssigned(partitions: ReadonlySet<string>): void {
    const dropped = this.buffer.retainPartitions(partitions);
    this.settings.logger.info(
      { groupId: this.settings.groupId, partitions: [...partitions], droppedQueued: dropped },
      'kafka consumer partitions assigned',
    );
    this.resumeIfRoom();
  }

  private onRestarted(): void {
    const dropped = this.buffer.restart(this.uncommitted.flat());
    this.settings.logger.warn(
      { groupId: this.settings.groupId, droppedQueued: dropped },
      'kafka fetch stream restarted from the committed offsets',
    );
    this.resumeIfRoom();
  }

  private resumeIfRoom(): void {
    if (this.paused && !this.buffer.full && !this.stopped) {
      this.paused = false;
      this.ports.reader.resume();
    }
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      if (this.buffer.queued === 0) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      const batch = this.buffer.take(this.maxBatchMessages, this.maxBatchBytes);
      this.uncommitted.push(batch);
      const done = await this.process(batch);
      if (done) this.enqueueCommit(done);
    }
    // Commit what the handler finished before the stop (one more try each, see untilDone).
    while (this.committing) await this.committing;
  }

  /**
   * Handles a batch and writes its dead letters; returns what to commit, or undefined
   * when stopping interrupted it (it then stays uncommitted for the next owner).
   */
  private async process(batch: RawRecord[]): Promise<HandledBatch<T> | undefined> {
    const started = performance.now();
    const topics = new Set(batch.map((record) => record.topic));
    let outcome: { handled: ConsumedMessage<T>[]; deadLetters: DeadLetter[] } | undefined;
    for (let attempt = 1; outcome === undefined; attempt += 1) {
      try {
        outcome = await this.handle(batch);
      } catch (error) {
        this.observeBatch(topics, started, 'error');
        if (!(await this.backOff('batch handler', attempt, error, batch))) return undefined;
      }
    }
    const { handled, deadLetters } = outcome;
    if (deadLetters.length > 0) {
      const records = deadLetters.map((dead) => deadLetterRecord(dead.record, dead.reason));
      // Tried once more even when stopping: the handler's work is done and should not be redone.
      if (!(await this.untilDone('dead-letter write', batch, () => this.ports.deadLetters.send(records), true))) return undefined;
      this.logDeadLetters(deadLetters);
    }
    return { batch, handled, deadLetters, topics, started };
  }

  /**
   * Commits run behind the handler: the next batch is handled while the previous one's
   * offsets are being committed (an OffsetCommit takes a few milliseconds, as long as
   * handling a whole batch). Order and bounds still hold: one commit at a time, each
   * covering every batch finished before it, and a batch's records count against the
   * in-flight limit until their commit succeeded.
   */
  private enqueueCommit(done: HandledBatch<T>): void {
    this.toCommit.push(done);
    if (!this.committing) this.startFlush();
  }

  private startFlush(): void {
    this.committing = this.flushCommits()
      .catch((error: unknown) => this.fail(error))
      .finally(() => {
        this.committing = undefined;
        // A batch enqueued after the flush loop's last check, before this callback, is not stranded.
        if (this.toCommit.length > 0) this.startFlush();
      });
  }

  private async flushCommits(): Promise<void> {
    while (this.toCommit.length > 0) {
      const group = this.toCommit.splice(0);
      const records = group.flatMap((done) => done.batch);
      const offsets = commitOffsets(records);
      // Tried once more even when stopping, like the dead letters.
      if (!(await this.untilDone('offset commit', records, () => this.ports.reader.commit(offsets), true))) return;
      for (const done of group) {
        this.uncommitted.splice(this.uncommitted.indexOf(done.batch), 1);
        this.buffer.release(done.batch);
        this.recordMetrics(done.handled, done.deadLetters, done.topics, done.started);
      }
      this.resumeIfRoom();
    }
  }

  /** Decodes every record and runs the handler on the valid ones; throws only for a retry. */
  private async handle(batch: RawRecord[]): Promise<{ handled: ConsumedMessage<T>[]; deadLetters: DeadLetter[] }> {
    const handled: ConsumedMessage<T>[] = [];
    const deadLetters: DeadLetter[] = [];
    const sources = new Map<ConsumedMessage<T>, RawRecord>();
    for (const record of batch) {
      const contract = this.contracts.get(record.topic);
      if (!contract) continue; // cannot happen: the reader only subscribes to our topics
      try {
        const { value, encoding } = await this.ports.codec.decode(record.topic, contract, record.value);
        const message = toConsumedMessage(record, value, encoding);
        handled.push(message);
        sources.set(message, record);
      } catch (error) {
        if (!(error instanceof DecodeError)) throw error; // e.g. registry unreachable: retry the batch
        deadLetters.push({ record, reason: error.message });
      }
    }
    if (handled.length === 0) return { handled, deadLetters };
    let result: void | BatchResult<T>;
    try {
      result = await this.settings.handler(handled);
    } catch (error) {
      if (!(error instanceof PoisonMessages)) throw error;
      result = { rejected: error.rejected as ReadonlyArray<RejectedMessage<T>> };
    }
    for (const rejected of result?.rejected ?? []) {
      const record = sources.get(rejected.message);
      if (!record) {
        throw new Error('batch handler rejected a message object that is not one of the batch it was given');
      }
      deadLetters.push({ record, reason: `rejected-by-handler: ${rejected.reason}` });
    }
    return { handled, deadLetters };
  }

  /**
   * Retries `work` with back-off until it succeeds. Returns false when the runner is
   * stopping (after one more try if `evenWhenStopping`); throws RetriesExhausted when
   * the policy's attempts run out.
   */
  private async untilDone(
    what: string,
    batch: RawRecord[],
    work: () => Promise<void>,
    evenWhenStopping = false,
  ): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      if (this.stopped && !(evenWhenStopping && attempt === 1)) return false;
      try {
        await work();
        return true;
      } catch (error) {
        if (!(await this.backOff(what, attempt, error, batch))) return false;
      }
    }
  }

  /** Logs a failure and waits; false when stopping interrupted the wait. */
  private async backOff(what: string, attempt: number, error: unknown, batch: RawRecord[]): Promise<boolean> {
    if (attempt >= this.policy.maxAttempts) throw new RetriesExhausted(what, attempt, error);
    const delayMs = backoffDelay(this.policy, attempt);
    this.settings.logger.warn(
      { err: error, groupId: this.settings.groupId, attempt, delayMs, partitions: describePartitions(batch) },
      `${what} failed; retrying the same batch`,
    );
    return sleep(delayMs, this.stopController.signal);
  }

  private logDeadLetters(deadLetters: DeadLetter[]): void {
    this.settings.logger.warn(
      {
        groupId: this.settings.groupId,
        count: deadLetters.length,
        samples: deadLetters.slice(0, 3).map(({ record, reason }) => ({
          topic: record.topic,
          partition: record.partition,
          offset: record.offset.toString(),
          reason,
        })),
      },
      'messages sent to the dead-letter topic',
    );
  }

  private recordMetrics(
    handled: ConsumedMessage<T>[],
    deadLetters: DeadLetter[],
    topics: Set<string>,
    started: number,
  ): void {
    const metrics = this.settings.metrics;
    if (!metrics) return;
    const group = this.settings.groupId;
    const perPartition = new Map<string, { topic: string; partition: number; count: number }>();
    for (const message of handled) {
      const key = partitionKey(message.topic, message.partition);
      const entry = perPartition.get(key) ?? { topic: message.topic, partition: message.partition, count: 0 };
      entry.count += 1;
      perPartition.set(key, entry);
    }
    for (const { topic, partition, count } of perPartition.values()) {
      metrics.consumed.inc({ topic, partition: String(partition), group }, count);
    }
    for (const { record } of deadLetters) metrics.deadLettered.inc({ topic: record.topic, group });
    this.observeBatch(topics, started, 'success');
  }

  private observeBatch(topics: Set<string>, started: number, outcome: 'success' | 'error'): void {
    const seconds = (performance.now() - started) / 1000;
    for (const topic of topics) {
      this.settings.metrics?.batchDuration.observe({ topic, group: this.settings.groupId, outcome }, seconds);
    }
  }

  private async refreshLag(): Promise<void> {
    const metrics = this.settings.metrics;
    if (!metrics || this.stopped) return;
    try {
      for (const { topic, partition, lag } of await this.ports.reader.lag()) {
        const labels = { topic, partition: String(partition), group: this.settings.groupId };
        if (lag >= 0n) metrics.consumerLag.set(labels, Number(lag));
        else metrics.consumerLag.remove(labels); // not (or no longer) ours
      }
    } catch (error) {
      this.settings.logger.debug({ err: error, groupId: this.settings.groupId }, 'kafka consumer lag refresh failed');
    }
  }
}

/** Per partition, the offset after the batch's last record, with that record's leader epoch. */
export function commitOffsets(batch: readonly RawRecord[]): PartitionOffset[] {
  const offsets = new Map<string, PartitionOffset>();
  for (const record of batch) {
    const key = partitionKey(record.topic, record.partition);
    const current = offsets.get(key);
    if (!current || record.offset + 1n > current.offset) {
      offsets.set(key, {
        topic: record.topic,
        partition: record.partition,
        offset: record.offset + 1n,
        leaderEpoch: record.leaderEpoch,
      });
    }
  }
  return [...offsets.values()];
}

function toConsumedMessage<T>(record: RawRecord, value: T, encoding: ConsumedMessage<T>['encoding']): ConsumedMessage<T> {
  const headers: Record<string, string> = {};
  for (const [name, bytes] of record.headers) headers[name] = bytes.toString('utf8');
  return {
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    key: record.key ? record.key.toString('utf8') : null,
    value,
    headers,
    timestamp: Number(record.timestamp),
    encoding,
  };
}

function describePartitions(batch: readonly RawRecord[]): string[] {
  const ranges = new Map<string, { first: bigint; last: bigint }>();
  for (const record of batch) {
    const key = partitionKey(record.topic, record.partition);
    const range = ranges.get(key);
    if (!range) ranges.set(key, { first: record.offset, last: record.offset });
    else range.last = record.offset;
  }
  return [...ranges].map(([key, { first, last }]) => `${key}@${first}-${last}`);
}

function positive(name: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(`consumer runner: "${name}" must be a positive integer, got ${String(value)}`);
  }
  return value;
}

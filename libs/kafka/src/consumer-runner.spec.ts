import { exampleOrderEvent, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { KafkaMetrics } from '@vigil/observability';
import { Registry } from 'prom-client';
import { FakeReader, FakeWriter, rawRecord, until } from '../test-support/fake-ports';
import { PoisonMessages, type BatchHandler, type ConsumedMessage } from './consumed-message';
import { commitOffsets, ConsumerRunner, RetriesExhausted, type ConsumerRunnerSettings } from './consumer-runner';
import { EventCodec } from './event.codec';
import { silentLogger, type KafkaLogger } from './kafka-logger';
import type { RawRecord } from './kafka-port';

const prefix = 't5.';
const topic = `${prefix}market.orders.v1`;

interface Harness {
  runner: ConsumerRunner<MarketOrderEvent>;
  reader: FakeReader;
  dlq: FakeWriter;
  batches: ConsumedMessage<MarketOrderEvent>[][];
  metrics: KafkaMetrics;
  registry: Registry;
  warnings: string[];
}

async function startRunner(
  handler: BatchHandler<MarketOrderEvent> = async () => undefined,
  settings: Partial<ConsumerRunnerSettings<MarketOrderEvent>> = {},
): Promise<Harness> {
  const reader = new FakeReader();
  const dlq = new FakeWriter();
  const batches: ConsumedMessage<MarketOrderEvent>[][] = [];
  const registry = new Registry();
  const metrics = new KafkaMetrics(registry);
  const warnings: string[] = [];
  const logger: KafkaLogger = { ...silentLogger, warn: (_details, message) => warnings.push(message) };
  const runner = new ConsumerRunner<MarketOrderEvent>(
    {
      groupId: 'g1',
      contracts: [marketOrdersContract],
      topicPrefix: prefix,
      handler: async (messages) => {
        batches.push(messages);
        return handler(messages);
      },
      retry: { initialDelayMs: 1, maxDelayMs: 4, jitter: 0 },
      lagIntervalMs: 0,
      metrics,
      logger,
      ...settings,
    },
    { reader, deadLetters: dlq, codec: new EventCodec(undefined) },
  );
  await runner.start();
  return { runner, reader, dlq, batches, metrics, registry, warnings };
}

function order(partition: number, offset: bigint, overrides: Record<string, unknown> = {}): RawRecord {
  return rawRecord(topic, partition, exampleOrderEvent(overrides as never), { offset });
}

function headersOf(record: { headers: ReadonlyArray<readonly [string, Buffer]> }): Record<string, string> {
  return Object.fromEntries(record.headers.map(([name, value]) => [name, value.toString()]));
}

async function metricValue(registry: Registry, name: string, labels: Record<string, string>): Promise<number | undefined> {
  const metric = (await registry.getMetricsAsJSON()).find((m) => m.name === name);
  const values = (metric?.values ?? []) as Array<{ labels: Record<string, unknown>; value: number }>;
  return values.find((v) => Object.entries(labels).every(([key, value]) => v.labels[key] === value))?.value;
}

/** How many batch durations were observed with this outcome. */
async function batchCount(registry: Registry, outcome: string): Promise<number | undefined> {
  const histogram = (await registry.getMetricsAsJSON()).find((m) => m.name === 'vigil_kafka_consumer_batch_duration_seconds');
  const values = (histogram?.values ?? []) as Array<{ metricName?: string; labels: Record<string, unknown>; value: number }>;
  return values.find((v) => v.metricName?.endsWith('_count') && v.labels['outcome'] === outcome)?.value;
}

describe('ConsumerRunner', () => {
  it('subscribes to the prefixed topics and hands decoded messages with their coordinates to the handler', async () => {
    const h = await startRunner();
    expect(h.reader.topics).toEqual([topic]);
    h.reader.deliver([order(2, 40n, { eventId: 'e-40' })]);
    await until(() => h.reader.commits.length === 1, 'commit');
    const [message] = h.batches[0];
    expect(message).toMatchObject({
      topic,
      partition: 2,
      offset: 40n,
      key: 'GB00B03MLX29',
      headers: { 'trace-id': 'trace-1' },
      timestamp: 1_772_461_800_000,
      encoding: 'json',
    });
    expect(message.value.eventId).toBe('e-40');
    await h.runner.stop();
  });

  it('commits, per partition, the offset after the last message, only after the handler resolved', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = await startRunner(() => gate);
    h.reader.deliver([order(0, 5n), order(1, 9n), order(0, 6n)]);
    await until(() => h.batches.length === 1, 'handler call');
    expect(h.reader.commits).toEqual([]);
    release();
    await until(() => h.reader.commits.length === 1, 'commit');
    expect(h.reader.commits[0]).toEqual([
      { topic, partition: 0, offset: 7n, leaderEpoch: 0 },
      { topic, partition: 1, offset: 10n, leaderEpoch: 0 },
    ]);
    await h.runner.stop();
  });

  it('retries the same batch after a handler error, with back-off, and never commits past it', async () => {
    let failures = 2;
    const h = await startRunner(async () => {
      if (failures-- > 0) throw new Error('database is down');
    });
    h.reader.deliver([order(0, 0n), order(0, 1n)]);
    await until(() => h.reader.commits.length === 1, 'commit after retries');
    expect(h.batches).toHaveLength(3);
    expect(h.batches.map((batch) => batch.map((m) => m.offset))).toEqual([
      [0n, 1n],
      [0n, 1n],
      [0n, 1n],
    ]);
    expect(h.reader.commits).toEqual([[{ topic, partition: 0, offset: 2n, leaderEpoch: 0 }]]);
    expect(h.warnings.filter((w) => w.startsWith('batch handler failed'))).toHaveLength(2);
    expect(await batchCount(h.registry, 'error')).toBe(2);
    expect(await batchCount(h.registry, 'success')).toBe(1);
    await h.runner.stop();
  });

  it('sends undecodable and invalid messages to <topic>.dlq and keeps the partition flowing', async () => {
    const h = await startRunner();
    const { price: _p, ...missingPrice } = exampleOrderEvent();
    h.reader.deliver([
      rawRecord(topic, 0, Buffer.from('{not json'), { offset: 0n }),
      rawRecord(topic, 0, missingPrice, { offset: 1n }),
      order(0, 2n, { quantity: 'many' }),
      order(0, 3n, { eventId: 'good-after-bad' }),
    ]);
    await until(() => h.reader.commits.length === 1, 'commit');
    expect(h.batches.flat().map((m) => m.value.eventId)).toEqual(['good-after-bad']);
    expect(h.dlq.sent.map((r) => r.topic)).toEqual([`${topic}.dlq`, `${topic}.dlq`, `${topic}.dlq`]);
    const reasons = h.dlq.sent.map((r) => headersOf(r)['x-error']);
    expect(reasons[0]).toMatch(/^bad-json: /);
    expect(reasons[1]).toMatch(/^contract-violation: .*"price"/);
    expect(reasons[2]).toMatch(/^contract-violation: .*"quantity"/);
    expect(h.dlq.sent.map((r) => headersOf(r)['x-source-offset'])).toEqual(['0', '1', '2']);
    expect(h.dlq.sent[0].value?.toString()).toBe('{not json');
    expect(h.reader.commits[0]).toEqual([{ topic, partition: 0, offset: 4n, leaderEpoch: 0 }]);
    expect(await metricValue(h.registry, 'vigil_kafka_dead_letters_total', { topic, group: 'g1' })).toBe(3);
    await h.runner.stop();
  });

  it('commits a batch in which every message was dead-lettered, without calling the handler', async () => {
    const h = await startRunner();
    h.reader.deliver([rawRecord(topic, 3, Buffer.from('x'), { offset: 8n })]);
    await until(() => h.reader.commits.length === 1, 'commit');
    expect(h.batches).toHaveLength(0);
    expect(h.dlq.sent).toHaveLength(1);
    await h.runner.stop();
  });

  it.each([
    ['returned', (rejected: ConsumedMessage<MarketOrderEvent>) => ({ rejected: [{ message: rejected, reason: 'unknown venue' }] })],
    [
      'thrown as PoisonMessages',
      (rejected: ConsumedMessage<MarketOrderEvent>) => {
        throw new PoisonMessages([{ message: rejected, reason: 'unknown venue' }]);
      },
    ],
  ])('dead-letters messages the handler rejected (%s) and commits the rest', async (_how, reject) => {
    const h = await startRunner(async (messages) => reject(messages[1]));
    h.reader.deliver([order(0, 0n), order(0, 1n), order(0, 2n)]);
    await until(() => h.reader.commits.length === 1, 'commit');
    expect(h.batches).toHaveLength(1); // not retried
    expect(h.dlq.sent).toHaveLength(1);
    expect(headersOf(h.dlq.sent[0])).toMatchObject({
      'x-error': 'rejected-by-handler: unknown venue',
      'x-source-offset': '1',
      'x-source-partition': '0',
      'x-source-topic': topic,
    });
    expect(h.reader.commits[0]).toEqual([{ topic, partition: 0, offset: 3n, leaderEpoch: 0 }]);
    await h.runner.stop();
  });

  it('does not commit until the dead letters are written', async () => {
    const h = await startRunner();
    h.dlq.failSends = 2;
    h.reader.deliver([rawRecord(topic, 0, Buffer.from('x'), { offset: 0n })]);
    await until(() => h.reader.commits.length === 1, 'commit');
    expect(h.dlq.sent).toHaveLength(1);
    expect(h.warnings.filter((w) => w.startsWith('dead-letter write failed'))).toHaveLength(2);
    await h.runner.stop();
  });

  it('handles the next batch while the previous commit is in flight, and commits in order', async () => {
    const h = await startRunner(undefined, { maxBatchMessages: 2 });
    let openGate!: () => void;
    h.reader.commitGate = new Promise<void>((resolve) => (openGate = resolve));
    h.reader.deliver([order(0, 0n), order(0, 1n), order(0, 2n), order(0, 3n)]);
    await until(() => h.batches.length === 2, 'second batch handled during the first commit');
    expect(h.reader.commits).toEqual([]);
    expect(h.runner.held.messages).toBe(4); // uncommitted records still count against the bound
    h.reader.commitGate = undefined;
    openGate();
    await until(() => h.reader.committed(topic, 0) === 4, 'all committed');
    const committed = h.reader.commits.map((batch) => batch.map((o) => o.offset));
    expect(committed).toEqual([...committed].sort((a, b) => Number(a[0] - b[0]))); // never backwards
    expect(h.runner.held.messages).toBe(0);
    await h.runner.stop();
  });

  it('retries a failed commit without running the handler again', async () => {
    const h = await startRunner();
    h.reader.failCommits = 2;
    h.reader.deliver([order(0, 0n)]);
    await until(() => h.reader.commits.length === 1, 'commit');
    expect(h.batches).toHaveLength(1);
    await h.runner.stop();
  });

  it('pauses fetching while the in-flight limit is reached and resumes when batches are committed', async () => {
    let release!: () => void;
    let gate = new Promise<void>((resolve) => (release = resolve));
    const h = await startRunner(() => gate, { maxBatchMessages: 2, maxInFlightMessages: 3 });
    h.reader.deliver([order(0, 0n), order(0, 1n)]);
    await until(() => h.batches.length === 1, 'first batch');
    expect(h.reader.paused).toBe(false);
    h.reader.deliver([order(0, 2n)]);
    expect(h.reader.paused).toBe(true);
    const first = release;
    gate = Promise.resolve();
    first();
    await until(() => !h.reader.paused, 'resume');
    await until(() => h.reader.committed(topic, 0) === 3, 'all committed');
    expect(h.reader.resumes).toBeGreaterThanOrEqual(1);
    await h.runner.stop();
  });

  it('stop() lets the batch in the handler finish and commits it, leaves queued records, closes', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = await startRunner(() => gate, { maxBatchMessages: 1 });
    h.reader.deliver([order(0, 0n), order(0, 1n)]);
    await until(() => h.batches.length === 1, 'handler call');
    const stopped = h.runner.stop();
    expect(h.reader.paused).toBe(true);
    release();
    await stopped;
    expect(h.batches).toHaveLength(1);
    expect(h.reader.commits).toEqual([[{ topic, partition: 0, offset: 1n, leaderEpoch: 0 }]]);
    expect(h.reader.closed).toBe(true);
    expect(h.dlq.closed).toBe(true);
    await expect(h.runner.done).resolves.toBeUndefined();
    await expect(h.runner.stop()).resolves.toBeUndefined(); // idempotent
  });

  it('stop() during a retry back-off leaves the failing batch uncommitted', async () => {
    const h = await startRunner(
      async () => {
        throw new Error('always failing');
      },
      { retry: { initialDelayMs: 60_000, maxDelayMs: 60_000, jitter: 0 } },
    );
    h.reader.deliver([order(0, 0n)]);
    await until(() => h.warnings.length === 1, 'first failure');
    await h.runner.stop();
    expect(h.reader.commits).toEqual([]);
    expect(h.reader.closed).toBe(true);
  });

  it('gives up after retry.maxAttempts: done rejects, nothing is committed, the reader is closed', async () => {
    const h = await startRunner(
      async () => {
        throw new Error('always failing');
      },
      { retry: { initialDelayMs: 1, maxDelayMs: 1, jitter: 0, maxAttempts: 3 } },
    );
    h.reader.deliver([order(0, 0n)]);
    await expect(h.runner.done).rejects.toBeInstanceOf(RetriesExhausted);
    expect(h.batches).toHaveLength(3);
    expect(h.reader.commits).toEqual([]);
    expect(h.reader.closed).toBe(true);
  });

  it('drops queued records of partitions the group took away', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const h = await startRunner(() => gate, { maxBatchMessages: 1 });
    h.reader.deliver([order(0, 0n), order(1, 0n), order(0, 1n)]);
    await until(() => h.batches.length === 1, 'first batch');
    h.reader.sink?.assigned(new Set([`${topic}:0`]));
    release();
    await until(() => h.reader.committed(topic, 0) === 2, 'partition 0 done');
    expect(h.batches.flat().map((m) => `${m.partition}@${m.offset}`)).toEqual(['0@0', '0@1']);
    await h.runner.stop();
  });

  it('after a stream restart handles the re-fetched records once', async () => {
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let calls = 0;
    const h = await startRunner(() => (calls++ === 0 ? gate : Promise.resolve()), { maxBatchMessages: 2 });
    h.reader.deliver([order(0, 0n), order(0, 1n), order(0, 2n)]);
    await until(() => h.batches.length === 1, 'first batch');
    h.reader.sink?.restarted(); // the new stream starts again at the committed offset 0
    h.reader.deliver([order(0, 0n), order(0, 1n), order(0, 2n), order(0, 3n)]);
    release();
    await until(() => h.reader.committed(topic, 0) === 4, 'all committed');
    expect(h.batches.flat().map((m) => m.offset)).toEqual([0n, 1n, 2n, 3n]);
    await h.runner.stop();
  });

  it('records consumed messages, batch durations and lag in the Kafka metrics', async () => {
    const h = await startRunner(undefined, { lagIntervalMs: 5 });
    h.reader.lags = [
      { topic, partition: 0, lag: 42n },
      { topic, partition: 1, lag: -1n },
    ];
    h.reader.deliver([order(0, 0n), order(0, 1n), order(1, 0n)]);
    await until(() => h.reader.commits.length === 1, 'commit');
    expect(await metricValue(h.registry, 'vigil_kafka_consumer_messages_total', { topic, partition: '0', group: 'g1' })).toBe(2);
    expect(await metricValue(h.registry, 'vigil_kafka_consumer_messages_total', { topic, partition: '1', group: 'g1' })).toBe(1);
    expect(await batchCount(h.registry, 'success')).toBe(1);
    await until(() => h.registry.getSingleMetric('vigil_kafka_consumer_lag_messages') !== undefined, 'lag metric');
    let lag: number | undefined;
    await until(() => {
      void metricValue(h.registry, 'vigil_kafka_consumer_lag_messages', { partition: '0' }).then((v) => (lag = v));
      return lag === 42;
    }, 'lag 42');
    expect(await metricValue(h.registry, 'vigil_kafka_consumer_lag_messages', { partition: '1' })).toBeUndefined();
    await h.runner.stop();
  });

  it('rejects settings that cannot work, naming them', () => {
    const ports = { reader: new FakeReader(), deadLetters: new FakeWriter(), codec: new EventCodec(undefined) };
    const base = { groupId: 'g', contracts: [marketOrdersContract], handler: async () => undefined, logger: silentLogger };
    expect(() => new ConsumerRunner({ ...base, groupId: '' }, ports)).toThrow('"groupId"');
    expect(() => new ConsumerRunner({ ...base, contracts: [] }, ports)).toThrow('"contracts"');
    expect(() => new ConsumerRunner({ ...base, maxBatchMessages: 0 }, ports)).toThrow('"maxBatchMessages" must be a positive integer');
  });
});

describe('commitOffsets', () => {
  it('takes the highest offset + 1 of each partition with its leader epoch', () => {
    const batch = [
      rawRecord('a', 0, {}, { offset: 3n, leaderEpoch: 1 }),
      rawRecord('a', 0, {}, { offset: 9n, leaderEpoch: 2 }),
      rawRecord('b', 0, {}, { offset: 1n }),
    ];
    expect(commitOffsets(batch)).toEqual([
      { topic: 'a', partition: 0, offset: 10n, leaderEpoch: 2 },
      { topic: 'b', partition: 0, offset: 2n, leaderEpoch: 0 },
    ]);
  });
});

describe('ConsumerRunner stopped while it is still joining the group', () => {
  it('waits for the join, then closes: the client is never closed mid-join and no batch is handled', async () => {
    const reader = new FakeReader();
    let join!: () => void;
    reader.startGate = new Promise<void>((resolve) => (join = resolve));
    const handled: unknown[] = [];
    const runner = new ConsumerRunner<MarketOrderEvent>(
      { groupId: 'g-join', contracts: [marketOrdersContract], topicPrefix: prefix, handler: async (m) => void handled.push(m), lagIntervalMs: 0, logger: silentLogger },
      { reader, deadLetters: new FakeWriter(), codec: new EventCodec(undefined) },
    );

    const started = runner.start();
    const stopped = runner.stop();
    await new Promise((resolve) => setImmediate(resolve));
    expect(reader.closed).toBe(false);

    join();
    await Promise.all([started, stopped]);
    expect({ closed: reader.closed, closedWhileStarting: reader.closedWhileStarting, handled: handled.length }).toEqual({
      closed: true,
      closedWhileStarting: false,
      handled: 0,
    });
    await expect(runner.done).resolves.toBeUndefined();
  });
});

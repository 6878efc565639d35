import { exampleOrderEvent, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import { ccompatUrl, collectingHandler, readTopic, testLogger } from '../test-support/kafka-test-helpers';
import { frameAvro } from './avro.codec';
import type { ConsumedMessage } from './consumed-message';
import { EventCodec } from './event.codec';
import { KafkaAdmin } from './kafka-admin';
import { createConsumerRunner, createEventProducer } from './kafka.factory';
import { PlatformaticRecordWriter } from './platformatic-writer.adapter';
import { confluentSchemaRegistry } from './schema-registry';

// Malformed events on a real topic: each lands in <topic>.dlq with its reason and source,
// and the good events behind it on the same partition are still handled.
describe('dead letters on the real broker', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let admin: KafkaAdmin;
  const prefix = testPrefix();
  const topic = `${prefix}market.orders.v1`;
  const dlq = `${topic}.dlq`;
  const logger = testLogger();

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['kafka', 'registry']));
    admin = new KafkaAdmin({ brokers: infra.kafkaBrokers, clientId: 'kafka-int-dlq' });
    // One partition, so "the events behind a bad one" is well defined.
    await admin.ensureTopics([{ name: topic, partitions: 1, withDeadLetter: true }], logger);
  });

  afterAll(async () => {
    await admin?.close();
    await stopInfra?.();
  });

  const connection = () => ({
    brokers: infra.kafkaBrokers,
    clientId: 'kafka-int-dlq',
    topicPrefix: prefix,
    registryUrl: ccompatUrl(infra),
  });

  /** Writes raw bytes, bypassing the producer's validation, as a buggy platform would. */
  async function writeRaw(values: Array<Buffer | null>): Promise<void> {
    const writer = new PlatformaticRecordWriter(connection());
    try {
      await writer.send(
        values.map((value) => ({ topic, key: Buffer.from('RAW-KEY'), value, headers: [['origin', Buffer.from('buggy-platform')]] })),
      );
    } finally {
      await writer.close();
    }
  }

  it('dead-letters bad JSON, missing and mistyped fields, unknown schema ids and broken frames, and keeps going', async () => {
    const good = (eventId: string) => Buffer.from(JSON.stringify(exampleOrderEvent({ eventId })));
    const { price: _omitted, ...missingPrice } = exampleOrderEvent({ eventId: 'missing-price' });
    const unknownSchema = frameAvro(999_999, Buffer.from([0x02, 0x41]));
    const avroGood = await encodeAvro(exampleOrderEvent({ eventId: 'good-avro' }));
    await writeRaw([
      good('good-1'), //                                                          offset 0
      Buffer.from('{"eventId": "bad-json", '), //                                 1
      Buffer.from(JSON.stringify(missingPrice)), //                                2
      Buffer.from(JSON.stringify({ ...exampleOrderEvent(), quantity: 'lots' })), // 3
      unknownSchema, //                                                            4
      Buffer.from([0x00, 0x00, 0x01]), //                                          5 (frame shorter than its header)
      avroGood, //                                                                 6
      null, //                                                                     7 (a tombstone)
      good('poison-1'), //                                                         8 (the handler rejects it)
      good('good-2'), //                                                           9
    ]);

    const handled: ConsumedMessage<MarketOrderEvent>[] = [];
    const runner = createConsumerRunner<MarketOrderEvent>({
      ...connection(),
      groupId: `${prefix}dlq`,
      contracts: [marketOrdersContract],
      logger,
      handler: async (messages) => {
        handled.push(...messages);
        const poison = messages.filter((m) => m.value.eventId.startsWith('poison'));
        return { rejected: poison.map((message) => ({ message, reason: 'account is not on the venue whitelist' })) };
      },
    });
    await runner.start();
    const dead = await readTopic(infra.kafkaBrokers, dlq, 7);
    await until(() => handled.some((m) => m.value.eventId === 'good-2'));
    await runner.stop();

    expect(handled.map((m) => [m.offset, m.value.eventId])).toEqual([
      [0n, 'good-1'],
      [6n, 'good-avro'],
      [8n, 'poison-1'],
      [9n, 'good-2'],
    ]);
    const byOffset = new Map(dead.map((record) => [record.headers['x-source-offset'], record]));
    expect([...byOffset.keys()].sort()).toEqual(['1', '2', '3', '4', '5', '7', '8']);
    const reason = (offset: string) => byOffset.get(offset)?.headers['x-error'];
    expect(reason('1')).toMatch(/^bad-json: value is not valid JSON/);
    expect(reason('2')).toMatch(/^contract-violation: .*field "price"/);
    expect(reason('3')).toMatch(/^contract-violation: .*field "quantity"/);
    expect(reason('4')).toMatch(/^unknown-schema-id: schema id 999999 is not in the schema registry/);
    expect(reason('5')).toMatch(/^bad-avro-frame: .*3 bytes long/);
    expect(reason('7')).toMatch(/^bad-json: value is empty/);
    expect(reason('8')).toBe('rejected-by-handler: account is not on the venue whitelist');
    for (const record of dead) {
      expect(record.headers).toMatchObject({ 'x-source-topic': topic, 'x-source-partition': '0', origin: 'buggy-platform' });
      expect(record.key?.toString()).toBe('RAW-KEY');
    }
    expect(byOffset.get('1')?.value?.toString()).toBe('{"eventId": "bad-json", ');
    expect(byOffset.get('4')?.value).toEqual(unknownSchema);
    expect(byOffset.get('7')?.value ?? null).toBeNull();
    expect(logger.warnings).toContain('messages sent to the dead-letter topic');
  });

  it('committed past the dead letters: the group resumes after them, not before', async () => {
    const producer = createEventProducer(connection());
    await producer.send(marketOrdersContract, [exampleOrderEvent({ eventId: 'after-restart' })]);
    await producer.close();
    const collected = collectingHandler<MarketOrderEvent>();
    const runner = createConsumerRunner({
      ...connection(),
      groupId: `${prefix}dlq`,
      contracts: [marketOrdersContract],
      logger,
      handler: collected.handler,
    });
    await runner.start();
    await collected.waitFor(1);
    await runner.stop();
    expect(collected.messages.map((m) => [m.offset, m.value.eventId])).toEqual([[10n, 'after-restart']]);
  });

  it('retries a failing batch on the real broker without skipping or committing it', async () => {
    const producer = createEventProducer(connection());
    await producer.send(marketOrdersContract, [exampleOrderEvent({ eventId: 'flaky-1' }), exampleOrderEvent({ eventId: 'flaky-2' })]);
    await producer.close();
    let calls = 0;
    const seen: string[][] = [];
    const runner = createConsumerRunner<MarketOrderEvent>({
      ...connection(),
      groupId: `${prefix}flaky`,
      contracts: [marketOrdersContract],
      logger,
      retry: { initialDelayMs: 50, maxDelayMs: 200 },
      handler: async (messages) => {
        seen.push(messages.map((m) => m.value.eventId));
        if (++calls <= 2) throw new Error('downstream store unavailable');
      },
    });
    await runner.start();
    await until(() => seen.flat().includes('after-restart') && calls > 2);
    await runner.stop();
    // The first batch was offered three times, identically; nothing after it came first.
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[1]).toEqual(seen[2]);
    expect(seen.flat().filter((id) => id === 'flaky-1')).toHaveLength(3);
    expect(logger.warnings.filter((w) => w === 'batch handler failed; retrying the same batch')).toHaveLength(2);
  });

  async function encodeAvro(event: MarketOrderEvent): Promise<Buffer> {
    return new EventCodec(confluentSchemaRegistry(ccompatUrl(infra))).encode(topic, marketOrdersContract, marketOrdersContract.parse(event));
  }
});

async function until(condition: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

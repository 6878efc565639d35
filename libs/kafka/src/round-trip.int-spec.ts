import { Admin, ConfigResourceTypes } from '@platformatic/kafka';
import { ContractViolation, exampleFillEvent, exampleOrderEvent, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { KafkaMetrics } from '@vigil/observability';
import { testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import { Registry } from 'prom-client';
import { ccompatUrl, collectingHandler, readTopic, testLogger } from '../test-support/kafka-test-helpers';
import { KafkaAdmin } from './kafka-admin';
import { kafkaBrokerCheck, schemaRegistryCheck } from './kafka.health';
import { createConsumerRunner, createEventProducer } from './kafka.factory';
import { defaultTopicSpec } from './topic-bootstrap';

// Round trips through the real broker and registry: what a producer writes in either
// encoding, a consumer of the same topic reads back, validated.
describe('libs/kafka against the real broker and registry', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let admin: KafkaAdmin;
  const prefix = testPrefix();
  const topic = `${prefix}market.orders.v1`;
  const logger = testLogger();

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['kafka', 'registry']));
    admin = new KafkaAdmin({ brokers: infra.kafkaBrokers, clientId: 'kafka-int' });
  });

  afterAll(async () => {
    await admin?.close();
    await stopInfra?.();
  });

  const connection = () => ({ brokers: infra.kafkaBrokers, clientId: 'kafka-int', topicPrefix: prefix });

  it('bootstraps topics and their dead-letter topics, idempotently', async () => {
    const spec = defaultTopicSpec('market.orders.v1', { topicPrefix: prefix, consumed: true });
    const first = await admin.ensureTopics([spec], logger);
    expect(first).toEqual({ created: [topic, `${topic}.dlq`], existing: [] });
    // Visible as soon as bootstrap returns (the broker's metadata cache lags the controller).
    expect([...(await admin.describeTopics([topic, `${topic}.dlq`])).keys()]).toEqual([topic, `${topic}.dlq`]);
    const second = await admin.ensureTopics([spec], logger);
    expect(second).toEqual({ created: [], existing: [topic, `${topic}.dlq`] });
    expect(await admin.describeTopics([topic, `${topic}.dlq`, `${prefix}absent`])).toEqual(
      new Map([
        [topic, 6],
        [`${topic}.dlq`, 1],
      ]),
    );
    const mismatched = await admin.ensureTopics([{ ...spec, partitions: 3, withDeadLetter: false }], logger);
    expect(mismatched.existing).toEqual([topic]);
    expect(logger.warnings).toContain('topic exists with a different partition count than configured; left as is');
  });

  it('writes the configured retention and cleanup policy on creation', async () => {
    const name = `${prefix}retention-check`;
    await admin.ensureTopics([{ name, partitions: 2, retentionMs: 3_600_000, cleanupPolicy: 'compact' }], logger);
    const configs = await describeTopicConfig(name);
    expect(configs['retention.ms']).toBe('3600000');
    expect(configs['cleanup.policy']).toBe('compact');
  });

  it('round-trips JSON and Avro events, and one consumer reads a topic holding both', async () => {
    const registry = new Registry();
    const metrics = new KafkaMetrics(registry);
    const json = createEventProducer({ ...connection(), metrics });
    const avro = createEventProducer({ ...connection(), registryUrl: ccompatUrl(infra), metrics });
    const jsonEvents = [exampleOrderEvent({ instrument: 'INST-A' }), exampleFillEvent({ instrument: 'INST-B' })];
    const avroEvents = [exampleOrderEvent({ instrument: 'INST-A', traderId: undefined }), exampleFillEvent({ instrument: 'INST-C' })];
    await json.send(marketOrdersContract, jsonEvents, { headers: { 'trace-id': 'trace-json' } });
    await avro.send(marketOrdersContract, avroEvents, { headers: { 'trace-id': 'trace-avro' } });
    await Promise.all([json.close(), avro.close()]);

    const collected = collectingHandler<MarketOrderEvent>();
    const runner = createConsumerRunner({
      ...connection(),
      registryUrl: ccompatUrl(infra),
      groupId: `${prefix}round-trip`,
      contracts: [marketOrdersContract],
      handler: collected.handler,
      logger,
      metrics,
      lagIntervalMs: 100,
    });
    await runner.start();
    const messages = await collected.waitFor(4);
    // Lag comes from the broker's end offsets against the group's commits: 0 everywhere once caught up.
    const lagOf = async () => (await metrics.consumerLag.get()).values.filter((v) => v.labels['topic'] === topic);
    for (let i = 0; i < 100 && !((await lagOf()).length === 6 && (await lagOf()).every((v) => v.value === 0)); i += 1) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await lagOf()).map((v) => v.value)).toEqual([0, 0, 0, 0, 0, 0]);
    await runner.stop();

    const byId = new Map(messages.map((m) => [m.value.eventId, m]));
    for (const event of jsonEvents) {
      expect(byId.get(event.eventId)).toMatchObject({ encoding: 'json', key: event.instrument, value: marketOrdersContract.parse(event) });
      expect(byId.get(event.eventId)?.headers['trace-id']).toBe('trace-json');
    }
    for (const event of avroEvents) {
      expect(byId.get(event.eventId)).toMatchObject({ encoding: 'avro', key: event.instrument, value: marketOrdersContract.parse(event) });
      expect(byId.get(event.eventId)?.headers['trace-id']).toBe('trace-avro');
    }
    // Keys decide partitions: both INST-A events (one JSON, one Avro) share a partition, in order.
    const instA = messages.filter((m) => m.key === 'INST-A');
    expect(new Set(instA.map((m) => m.partition)).size).toBe(1);
    expect(instA.map((m) => m.encoding)).toEqual(['json', 'avro']);

    const produced = (await metrics.produced.get()).values.find((v) => v.labels['topic'] === topic && v.labels['outcome'] === 'success');
    expect(produced?.value).toBe(4);
    const consumed = (await metrics.consumed.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(consumed).toBe(4);
  });

  it('never writes anything when one value of a send breaks the contract', async () => {
    const ownPrefix = testPrefix(); // its own topic, so what is on it is only this test's
    const name = `${ownPrefix}market.orders.v1`;
    await admin.ensureTopics([{ name, partitions: 1 }], logger);
    const producer = createEventProducer({ ...connection(), topicPrefix: ownPrefix });
    const error = await producer
      .send(marketOrdersContract, [exampleOrderEvent({ instrument: 'NEVER' }), { ...exampleOrderEvent(), side: 'SIDEWAYS' } as never])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ContractViolation);
    expect((error as ContractViolation).field).toBe('side');
    await producer.send(marketOrdersContract, [exampleOrderEvent({ instrument: 'MARKER' })]);
    await producer.close();
    const records = await readTopic(infra.kafkaBrokers, name, 1);
    expect(records.map((r) => [r.offset, r.key?.toString()])).toEqual([[0n, 'MARKER']]);
  });

  it('answers readiness checks, and fails them in time when the server is not there', async () => {
    await expect(kafkaBrokerCheck(admin).check()).resolves.toBeUndefined();
    await expect(schemaRegistryCheck(ccompatUrl(infra)).check()).resolves.toBeUndefined();
    const nowhere = new KafkaAdmin({ brokers: ['127.0.0.1:1'], clientId: 'kafka-int-nowhere' });
    try {
      await expect(kafkaBrokerCheck(nowhere, 500).check()).rejects.toThrow(/did not answer|ECONNREFUSED|connect/i);
    } finally {
      await nowhere.close();
    }
    await expect(schemaRegistryCheck('http://127.0.0.1:1/apis/ccompat/v7', 500).check()).rejects.toThrow(/did not answer/);
  });

  async function describeTopicConfig(name: string): Promise<Record<string, string>> {
    const raw = new Admin({ clientId: 'kafka-int-configs', bootstrapBrokers: infra.kafkaBrokers });
    try {
      const [description] = await raw.describeConfigs({
        resources: [{ resourceType: ConfigResourceTypes.TOPIC, resourceName: name, configurationKeys: ['retention.ms', 'cleanup.policy'] }],
      });
      return Object.fromEntries(description.configs.map((c) => [c.name, String(c.value)]));
    } finally {
      await raw.close();
    }
  }
});

import { complianceAlertsContract, type ComplianceAlert, type MarketOrderEvent } from '@vigil/contracts';
import { createEventProducer, defaultTopicSpec, KafkaAdmin, readBack, silentLogger, type EventProducer } from '@vigil/kafka';
import { deleteRedisKeysByPrefix, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { RuleBook } from '../config/rule-book';
import { RedisDetectorStore } from '../state/redis-detector.store';
import { washTradesAndCancelledOrders } from '../test-support/rule-harness';
import { AlertPublisher } from './alert-publisher';
import { Detector } from './detector';

// Alerts go out once across a crash, against the real broker and Redis: a detector "killed"
// between producing a batch's alerts and confirming them (or before producing them) and
// restarted on the same state publishes every finding exactly once.
describe('AlertPublisher across a crash', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  let admin: KafkaAdmin;
  const producers: EventProducer[] = [];
  const keyPrefixes: string[] = [];
  const book = RuleBook.load();
  const INSTRUMENT = { venue: 'XLON', instrument: 'GB00B03MLX29' };

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['kafka', 'redis']));
    redis = new Redis(infra.redisUrl);
    admin = new KafkaAdmin({ brokers: infra.kafkaBrokers, clientId: 'publisher-int' });
  });

  afterAll(async () => {
    for (const producer of producers) await producer.close();
    for (const prefix of keyPrefixes) await deleteRedisKeysByPrefix(prefix, redis);
    await admin?.close();
    redis?.disconnect();
    await stopInfra?.();
  });

  /** A detector (a process) on `keyPrefix`, publishing to compliance.alerts.v1 under `topicPrefix`. */
  async function processOn(keyPrefix: string, topicPrefix: string) {
    const connection = { brokers: infra.kafkaBrokers, clientId: 'publisher-int', topicPrefix };
    const producer = createEventProducer(connection);
    producers.push(producer);
    const skipped: number[] = [];
    const detector = new Detector(book, new RedisDetectorStore(redis, { keyPrefix, fingerprintTtlMs: 3_600_000, stateTtlMs: 3_600_000 }));
    const publisher = new AlertPublisher(
      producer,
      async (sinceMs) => (await readBack({ ...connection, contract: complianceAlertsContract, sinceMs })).values,
      { skipped: (count) => skipped.push(count) },
    );
    return { detector, publisher, producer, skipped };
  }

  /**
   * Runs the scenario in batches of 40; at the first batch that raises an alert the process
   * "crashes" after `crashAfter` (the produce, or the save before it), and a new process on the
   * same Redis state gets that batch again (the offsets were not committed) and the rest.
   */
  async function runWithCrash(crashAfter: 'produce' | 'save' | 'none') {
    const keyPrefix = `${testPrefix()}:`;
    const topicPrefix = `${testPrefix()}.`;
    keyPrefixes.push(keyPrefix);
    await admin.ensureTopics([defaultTopicSpec('compliance.alerts.v1', { topicPrefix })], silentLogger);
    const startedAt = Date.now();
    const events = washTradesAndCancelledOrders();
    let current = await processOn(keyPrefix, topicPrefix);
    const skipped: number[] = [];
    let crashed = crashAfter === 'none';
    for (let i = 0; i < events.length; i += 40) {
      const batch = events.slice(i, i + 40);
      const detection = await current.detector.detect(batch);
      if (!crashed && detection.alerts.length > 0) {
        crashed = true;
        if (crashAfter === 'produce') await current.producer.send(complianceAlertsContract, detection.alerts);
        skipped.push(...current.skipped);
        current = await processOn(keyPrefix, topicPrefix); // the restart: nothing in memory, state in Redis
        await current.publisher.publish(await current.detector.detect(batch)); // the batch re-delivered
        continue;
      }
      await current.publisher.publish(detection);
    }
    await current.publisher.publish(await current.detector.flush([INSTRUMENT]));
    skipped.push(...current.skipped);
    const onTopic = (await readBack({ brokers: infra.kafkaBrokers, clientId: 'publisher-int', topicPrefix, contract: complianceAlertsContract, sinceMs: startedAt - 1_000 })).values;
    return { onTopic, skipped: skipped.reduce((a, b) => a + b, 0) };
  }

  const fingerprints = (alerts: ComplianceAlert[]) => alerts.map((a) => `${a.type} ${a.fingerprint}`).sort();

  it('publishes each alert once when killed between the produce and the confirm', async () => {
    const undisturbed = await runWithCrash('none');
    expect(undisturbed.onTopic).toHaveLength(5);
    const crashed = await runWithCrash('produce');
    expect(fingerprints(crashed.onTopic)).toEqual(fingerprints(undisturbed.onTopic));
    expect(new Set(crashed.onTopic.map((a) => a.alertId)).size).toBe(crashed.onTopic.length);
    expect(crashed.skipped).toBeGreaterThan(0); // the re-sent alert was found on the topic and left out
  });

  it('produces a re-sent alert anyway when the topic cannot be read back (a possible duplicate, never a stuck consumer)', async () => {
    const keyPrefix = `${testPrefix()}:`;
    keyPrefixes.push(keyPrefix);
    const sent: ComplianceAlert[][] = [];
    const failures: unknown[] = [];
    const producer = { send: async (_contract: unknown, alerts: ComplianceAlert[]) => void sent.push(alerts) } as unknown as EventProducer;
    const first = new Detector(book, new RedisDetectorStore(redis, { keyPrefix, fingerprintTtlMs: 3_600_000, stateTtlMs: 3_600_000 }));
    const events = washTradesAndCancelledOrders();
    let batch: MarketOrderEvent[] = [];
    for (let i = 0; i < events.length; i += 40) {
      batch = events.slice(i, i + 40);
      if ((await first.detect(batch)).alerts.length > 0) break; // saved, never confirmed
    }
    const restarted = new Detector(book, new RedisDetectorStore(redis, { keyPrefix, fingerprintTtlMs: 3_600_000, stateTtlMs: 3_600_000 }));
    const unreadable = new AlertPublisher(producer, () => Promise.reject(new Error('broker unreachable')), { readBackFailed: (error) => failures.push(error) });
    const again = await restarted.detect(batch);
    expect(again.resent.size).toBeGreaterThan(0);
    await unreadable.publish(again);
    expect(failures).toHaveLength(1);
    expect(sent.flat().map((a) => a.alertId)).toEqual(again.alerts.map((a) => a.alertId));
  });

  it('still publishes the alerts of a batch killed after saving them and before producing them', async () => {
    const undisturbed = await runWithCrash('none');
    const crashed = await runWithCrash('save');
    expect(fingerprints(crashed.onTopic)).toEqual(fingerprints(undisturbed.onTopic));
    expect(crashed.skipped).toBe(0);
  });
});

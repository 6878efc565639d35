import type { ComplianceAlert, MarketOrderEvent } from '@vigil/contracts';
import { deleteRedisKeysByPrefix, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { Registry } from 'prom-client';
import type { Worker } from 'node:worker_threads';
import { RuleBook } from '../config/rule-book';
import { DetectorMetrics } from '../detector.metrics';
import { RedisDetectorStore } from '../state/redis-detector.store';
import { OrderStream } from '../test-support/rule-harness';
import type { DetectionEngine } from './detection-engine';
import { Detector, StateConflictError } from './detector';
import { DetectorThread } from './detector-thread';

// The Detector on its worker thread against the real Redis: the same alerts as in process,
// metrics reach the main thread's registry, rule changes reach the thread, a conflict is still a
// StateConflictError, and a thread that dies is started again with nothing lost.
describe('DetectorThread on Redis', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  const prefixes: string[] = [];
  const threads: DetectorThread[] = [];

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['redis']));
    redis = new Redis(infra.redisUrl);
  });

  afterAll(async () => {
    for (const thread of threads) await thread.close();
    for (const prefix of prefixes) await deleteRedisKeysByPrefix(prefix, redis);
    redis?.disconnect();
    await stopInfra?.();
  });

  const store = (keyPrefix: string) => ({ keyPrefix, fingerprintTtlMs: 3_600_000, stateTtlMs: 3_600_000 });
  const newThread = (book: RuleBook, keyPrefix: string, metrics?: DetectorMetrics) => {
    prefixes.push(keyPrefix);
    const thread = new DetectorThread(book, { redisUrl: infra.redisUrl, store: store(keyPrefix) }, metrics);
    threads.push(thread);
    return thread;
  };

  function scenario(): MarketOrderEvent[] {
    const s = new OrderStream();
    for (let i = 0; i < 40; i++) {
      s.trade(i * 40_000, `T${i}`, { accountId: 'A', beneficialOwnerId: 'OWN-1' }, { accountId: i % 5 === 0 ? 'B' : 'Z', beneficialOwnerId: i % 5 === 0 ? 'OWN-1' : 'Z' });
    }
    for (let i = 0; i < 250; i++) s.newOrder(60_000 + i * 100, `Q${i}`, { accountId: 'Q' });
    for (let i = 0; i < 250; i++) s.cancel(90_000 + i * 100, `Q${i}`, { accountId: 'Q' });
    return s.events.sort((a, b) => a.ts.localeCompare(b.ts));
  }

  async function run(engine: DetectionEngine, events: MarketOrderEvent[], batchSize: number, between?: (batch: number) => void): Promise<ComplianceAlert[]> {
    const alerts: ComplianceAlert[] = [];
    for (let i = 0; i < events.length; i += batchSize) {
      between?.(i / batchSize);
      const detection = await engine.detect(events.slice(i, i + batchSize));
      alerts.push(...detection.alerts);
      await detection.confirm();
    }
    const end = await engine.flush([{ venue: 'XLON', instrument: 'GB00B03MLX29' }]);
    alerts.push(...end.alerts);
    await end.confirm();
    return alerts;
  }

  const summary = (alerts: ComplianceAlert[]) => alerts.map((a) => `${a.type} ${a.accountId} ${a.windowStart} ${a.fingerprint}`).sort();

  it('raises the same alerts as the Detector in process, and its metrics land in the main registry', async () => {
    const events = scenario();
    const inProcessPrefix = `${testPrefix()}:`;
    prefixes.push(inProcessPrefix);
    const inProcess = await run(new Detector(RuleBook.load(), new RedisDetectorStore(redis, store(inProcessPrefix))), events, 40);
    const registry = new Registry();
    const metrics = new DetectorMetrics(registry);
    const threaded = await run(newThread(RuleBook.load(), `${testPrefix()}:`, metrics), events, 40);
    expect(threaded.map((a) => a.type).sort()).toEqual(['CANCELLATION_RATE', 'ORDER_TO_TRADE_RATIO', 'WASH_TRADE', 'WASH_TRADE', 'WASH_TRADE']);
    expect(summary(threaded)).toEqual(summary(inProcess));
    const value = async (name: string, labels: Record<string, string> = {}, series = name) =>
      ((await registry.getSingleMetric(name)?.get())?.values ?? [])
        .filter((v) => ((v as { metricName?: string }).metricName ?? name) === series && Object.entries(labels).every(([k, l]) => v.labels[k] === l))
        .reduce((sum, v) => sum + v.value, 0);
    expect(await value('vigil_compliance_detector_events_total', { outcome: 'accepted' })).toBe(events.length);
    expect(await value('vigil_compliance_detector_alerts_total')).toBe(5);
    expect(await value('vigil_compliance_detector_alerts_total', { type: 'WASH_TRADE' })).toBe(3);
    expect(await value('vigil_compliance_detector_rule_evaluations_total', { rule: 'wash-trade' })).toBeGreaterThan(0);
    // One save per batch and one confirm per batch with alerts: the histogram counted every batch and the flush.
    const roundTrips = 'vigil_compliance_detector_redis_round_trips_per_batch';
    expect(await value(roundTrips, {}, `${roundTrips}_count`)).toBe(Math.ceil(events.length / 40) + 1);
  });

  it('applies a rule change made on the main thread from the next batch on', async () => {
    const book = RuleBook.load();
    const thread = newThread(book, `${testPrefix()}:`);
    const events = scenario();
    const half = 200;
    const first = await run(thread, events.slice(0, half), 40);
    book.applyChanges({ 'wash-trade': { version: 2, severity: 'HIGH', enabled: false, parameters: {}, updatedAt: new Date().toISOString(), updatedBy: 'test' } });
    const rest = await run(thread, events.slice(half), 40);
    // Wash trades only from the first 200 events (before the change), none after.
    const washBefore = first.filter((a) => a.type === 'WASH_TRADE');
    expect(washBefore.length).toBeGreaterThan(0);
    expect(rest.filter((a) => a.type === 'WASH_TRADE')).toEqual([]);
    expect(rest.map((a) => a.type)).toEqual(expect.arrayContaining(['ORDER_TO_TRADE_RATIO', 'CANCELLATION_RATE']));
  });

  it('hands on a conflict as StateConflictError, and the retry works on the new state', async () => {
    const keyPrefix = `${testPrefix()}:`;
    const s = new OrderStream();
    for (let i = 0; i < 250; i++) s.newOrder(i * 100, `Q${i}`, { accountId: 'Q' });
    const [a, b] = [newThread(RuleBook.load(), keyPrefix), newThread(RuleBook.load(), keyPrefix)];
    const feed = async (engine: DetectionEngine, events: MarketOrderEvent[]) => (await engine.detect(events)).confirm();
    await feed(a, s.events.slice(0, 100));
    await feed(b, s.events.slice(100, 150));
    await expect(feed(a, s.events.slice(150, 200))).rejects.toBeInstanceOf(StateConflictError);
    await expect(feed(a, s.events.slice(150, 200))).resolves.toBeUndefined();
  });

  it('starts a thread that died again on the next batch, with the same alerts as an undisturbed run', async () => {
    const events = scenario();
    const undisturbed = await run(newThread(RuleBook.load(), `${testPrefix()}:`), events, 40);
    const thread = newThread(RuleBook.load(), `${testPrefix()}:`);
    const failures: unknown[] = [];
    const alerts: ComplianceAlert[] = [];
    for (let i = 0; i < events.length; i += 40) {
      if (i === 240) {
        // The test reaches into the thread to kill it, as an out-of-memory or a native crash would.
        await (thread as unknown as { worker: Worker }).worker.terminate();
      }
      for (;;) {
        try {
          const detection = await thread.detect(events.slice(i, i + 40));
          alerts.push(...detection.alerts);
          await detection.confirm();
          break;
        } catch (error) {
          failures.push(error); // the consumer's retry: the same batch again
        }
      }
    }
    const end = await thread.flush([{ venue: 'XLON', instrument: 'GB00B03MLX29' }]);
    alerts.push(...end.alerts);
    expect(failures).toHaveLength(0); // terminated between batches: the next request simply starts a new thread
    expect(summary(alerts)).toEqual(summary(undisturbed));
  });

  it('fails the request in flight when the thread dies under it, and the retry succeeds', async () => {
    const thread = newThread(RuleBook.load(), `${testPrefix()}:`);
    const events = scenario();
    await (await thread.detect(events.slice(0, 40))).confirm();
    // A batch big enough (~20,000 events) that the thread is still parsing it when it is killed.
    const big = Array.from({ length: 40 }, (_, copy) => events.map((e) => ({ ...e, eventId: `${copy}-${e.eventId}` }))).flat();
    const inFlight = thread.detect(big);
    await (thread as unknown as { worker: Worker }).worker.terminate();
    await expect(inFlight).rejects.toThrow(/detector thread exited/);
    const retried = await thread.detect(big);
    await retried.confirm();
    await thread.close();
    await expect(thread.detect(events.slice(80, 120))).rejects.toThrow('detector thread is closed');
  });
});

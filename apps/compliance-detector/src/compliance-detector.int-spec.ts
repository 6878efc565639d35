import { execFileSync } from 'node:child_process';
import { loadConfig } from '@vigil/config';
import { complianceAlertsContract, marketOrdersContract, type ComplianceAlert, type MarketOrderEvent } from '@vigil/contracts';
import { createConsumerRunner, createEventProducer, type ConsumerRunner } from '@vigil/kafka';
import { createLogger } from '@vigil/observability';
import { startService, type RunningService } from '@vigil/service';
import { deleteRedisKeysByPrefix, serviceEnv, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { AppModule } from './app.module';
import { complianceDetectorConfig } from './compliance-detector.config';
import { OrderStream } from './test-support/rule-harness';

// The service as it runs: order events produced to market.orders.v1 on the real broker come
// out as explained alerts on compliance.alerts.v1; malformed ones go to the .dlq and detection
// goes on; the service is stopped mid-stream and started again, and no alert is lost or doubled.
describe('compliance-detector on Kafka and Redis', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  const prefix = testPrefix();
  const keyPrefix = `${prefix}det:`;
  const logger = createLogger('compliance-detector-test', process.env['DETECTOR_TEST_LOG'] ? 'info' : 'silent');
  const alerts: ComplianceAlert[] = [];
  let reader: ConsumerRunner<ComplianceAlert>;

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['kafka', 'redis', 'registry']));
    redis = new Redis(infra.redisUrl);
  });

  afterAll(async () => {
    await reader?.stop();
    await deleteRedisKeysByPrefix(keyPrefix, redis);
    redis?.disconnect();
    await stopInfra?.();
  });

  const start = async (): Promise<RunningService> => {
    const env = { ...process.env, ...serviceEnv(infra, prefix), VIGIL_HTTP_PORT: '0', VIGIL_LOG_LEVEL: process.env['DETECTOR_TEST_LOG'] ? 'info' : 'silent', VIGIL_DETECTOR_KEY_PREFIX: keyPrefix,
      // The stream's event time is 2026-03-02, not now: moving it on by the wall clock would make the second half late.
      VIGIL_DETECTOR_IDLE_FLUSH_AFTER: '0s',
    };
    const config = loadConfig(complianceDetectorConfig, env);
    const service = await startService({ name: 'compliance-detector', module: AppModule, config, logger });
    // Its topics are created in the background: ready means they exist and its consumer starts.
    await until('the service to be ready', async () => (await fetch(`${service.url}/readyz`)).status, (status) => status === 200);
    return service;
  };

  // The service produces Avro (the registry is configured), so the reader needs the registry too.
  const connection = () => ({ brokers: infra.kafkaBrokers, clientId: 'compliance-detector-test', topicPrefix: prefix, registryUrl: infra.registryUrl });

  async function produce(events: MarketOrderEvent[]): Promise<void> {
    const producer = createEventProducer(connection());
    try {
      await producer.send(marketOrdersContract, events);
    } finally {
      await producer.close();
    }
  }

  /** Raw lines on the topic, bypassing the producer's validation, as a buggy platform would write them. */
  function produceRaw(lines: string[]): void {
    execFileSync('kcat', ['-P', '-b', infra.kafkaBrokers[0], '-t', `${prefix}market.orders.v1`, '-k', 'GB00W'], { input: lines.join('\n') + '\n' });
  }

  function deadLetters(): { headers: string; value: string }[] {
    const out = execFileSync('kcat', ['-C', '-q', '-e', '-o', 'beginning', '-b', infra.kafkaBrokers[0], '-t', `${prefix}market.orders.v1.dlq`, '-f', '%h\t%s\n'], {
      encoding: 'utf8',
    });
    return out
      .split('\n')
      .filter(Boolean)
      .map((line) => ({ headers: line.split('\t')[0], value: line.split('\t').slice(1).join('\t') }));
  }

  async function until<T>(what: string, probe: () => T | Promise<T>, done: (value: T) => boolean): Promise<T> {
    let value = await probe();
    for (let i = 0; i < 300 && !done(value); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      value = await probe();
    }
    if (!done(value)) throw new Error(`timed out waiting for ${what}; last seen: ${JSON.stringify(value).slice(0, 500)}`);
    return value;
  }

  it('raises a wash trade and an OTR breach with evidence, dead-letters malformed events, and survives a restart mid-stream', async () => {
    reader = createConsumerRunner<ComplianceAlert>({
      ...connection(),
      groupId: `${prefix}alerts-reader`,
      contracts: [complianceAlertsContract],
      logger,
      handler: async (messages) => void alerts.push(...messages.map((m) => m.value)),
    });

    const wash = new OrderStream(Date.parse('2026-03-02T14:00:00Z'), { venue: 'XLON', instrument: 'GB00W' });
    wash.trade(60_000, 'TW1', { accountId: 'ACC-A', beneficialOwnerId: 'OWN-1' }, { accountId: 'ACC-B', beneficialOwnerId: 'OWN-1' }, 500, 101.5);
    wash.newOrder(10 * 60_000 + 2_500, 'LATER', { accountId: 'ACC-Z' }); // event time moves past the bucket's end

    const otr = new OrderStream(Date.parse('2026-03-02T14:00:00Z'), { venue: 'XLON', instrument: 'GB00Q' });
    for (let i = 0; i < 210; i++) otr.newOrder(i * 10, `Q${i}`, { accountId: 'ACC-Q', eventId: `q-${i}` });
    otr.newOrder(10_000, 'Q-LATER', { accountId: 'ACC-R', eventId: 'q-later' });
    const [firstHalf, secondHalf] = [otr.events.slice(0, 120), otr.events.slice(120)];

    const first = await start();
    await reader.start();
    try {
      await produce(wash.events.slice(0, 1));
      produceRaw(['{"eventId": 42}', 'not json at all']);
      await produce([...wash.events.slice(1), ...firstHalf]);
      await until('the wash-trade alert', () => alerts.map((a) => a.type), (types) => types.includes('WASH_TRADE'));
      await until(
        'the dead letters counted under the detector name',
        async () => (await (await fetch(`${first.url}/metrics`)).text()).match(/vigil_compliance_detector_dead_letters_total\{service="compliance-detector"\} (\d+)/)?.[1],
        (count) => count === '2',
      );
      // Every event of the first half is in the detector's Redis state before it stops.
      await until(
        'the first half of the OTR stream in Redis',
        // Its newest event is in the instrument's log (or in a snapshot that replaced it).
        async () => {
          const id = `"${firstHalf[firstHalf.length - 1].eventId}"`;
          const log = await redis.lrange(`${keyPrefix}{XLON:GB00Q}:log`, 0, -1);
          return log.some((entry) => entry.includes(id)) || ((await redis.hget(`${keyPrefix}{XLON:GB00Q}:snapshot`, 'data')) ?? '').includes(id);
        },
        (found) => found,
      );
    } finally {
      expect(await first.stop('test')).toBe(0);
    }

    // While it is down: the second half, plus 30 events of the first half again (a re-delivery).
    await produce([...firstHalf.slice(90), ...secondHalf]);
    const second = await start();
    try {
      await until('the OTR alert', () => alerts.map((a) => a.type), (types) => types.includes('ORDER_TO_TRADE_RATIO'));
      await new Promise((resolve) => setTimeout(resolve, 1500)); // room for a duplicate to show up, if one were sent
      const metrics = await (await fetch(`${second.url}/metrics`)).text();
      expect(metrics).toMatch(/vigil_compliance_detector_alerts_total\{rule="order-to-trade-ratio",type="ORDER_TO_TRADE_RATIO",severity="MEDIUM",service="compliance-detector"\} 1/);
      expect(metrics).toMatch(/vigil_compliance_detector_events_total\{outcome="duplicate",venue="XLON",service="compliance-detector"\} 30/);
      expect(metrics).toMatch(/vigil_compliance_detector_rule_evaluation_seconds_total\{rule="order-to-trade-ratio",type="ORDER_TO_TRADE_RATIO",service="compliance-detector"\} [0-9.e-]+/);
      expect(metrics).toMatch(/vigil_compliance_detector_redis_round_trips_per_batch_count/);
      expect(metrics).toMatch(/vigil_compliance_detector_redis_round_trips_total\{service="compliance-detector"\} [1-9]/);
      expect(metrics).toMatch(/vigil_compliance_detector_rule_evaluations_total\{rule="order-to-trade-ratio",type="ORDER_TO_TRADE_RATIO",service="compliance-detector"\} [1-9]/);
      expect(metrics).toMatch(/vigil_compliance_detector_window_lag_seconds\{service="compliance-detector"\} [1-9]/);
      // The new instance rebuilt GB00Q's state from Redis: the logged batches of the first run were replayed.
      expect(metrics).toMatch(/vigil_compliance_detector_state_log_entries_replayed_total\{service="compliance-detector"\} [1-9]/);
    } finally {
      expect(await second.stop('test')).toBe(0);
    }

    expect(alerts.map((a) => a.type).sort()).toEqual(['ORDER_TO_TRADE_RATIO', 'WASH_TRADE']);
    const washAlert = alerts.find((a) => a.type === 'WASH_TRADE');
    expect(washAlert).toMatchObject({
      instrument: 'GB00W',
      accountId: 'ACC-A',
      beneficialOwnerId: 'OWN-1',
      score: 1,
      threshold: 1,
      evidence: { orderIds: ['TW1-B', 'TW1-S'], tradeIds: ['TW1'], metrics: { trades: 1, quantity: 500, accounts: 2 } },
    });
    const otrAlert = alerts.find((a) => a.type === 'ORDER_TO_TRADE_RATIO');
    // The 200th message crosses the floor: its state came from both runs.
    expect(otrAlert).toMatchObject({ instrument: 'GB00Q', accountId: 'ACC-Q', threshold: 100, score: 199, windowEnd: '2026-03-02T14:00:01.990Z' });
    expect(otrAlert?.evidence.metrics).toMatchObject({ weightedMessages: 200, executedOrders: 0 });
    expect(otrAlert?.summary).toContain('Account ACC-Q sent 200 weighted order messages');

    const dlq = deadLetters();
    expect(dlq).toHaveLength(2);
    expect(dlq[0].value).toBe('{"eventId": 42}');
    expect(dlq[0].headers).toMatch(/x-error=contract-violation: .*eventId/);
    expect(dlq[1].headers).toMatch(/x-error=/);
  });
});

import { loadConfig } from '@vigil/config';
import { complianceAlertsContract, marketOrdersContract, type ComplianceAlert } from '@vigil/contracts';
import { createConsumerRunner, createEventProducer, type ConsumerRunner } from '@vigil/kafka';
import { createLogger } from '@vigil/observability';
import { readinessOnceReady, startService, type RunningService } from '@vigil/service';
import { deleteRedisKeysByPrefix, serviceEnv, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { AppModule } from './app.module';
import { complianceDetectorConfig } from './compliance-detector.config';
import { OrderStream } from './test-support/rule-harness';

// The service with its idle flush on: a spoofing episode whose judgement needs event time to
// pass the cancel + 2 s is the last thing on its instrument, and no event follows. The alert
// comes anyway, once the instrument has been idle long enough for the wall clock to carry its
// event time past that point.
describe('compliance-detector idle flush', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  let service: RunningService | undefined;
  let reader: ConsumerRunner<ComplianceAlert> | undefined;
  const prefix = testPrefix();
  const keyPrefix = `${prefix}det:`;
  const logger = createLogger('compliance-detector-idle-test', 'silent');

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['kafka', 'redis', 'registry']));
    redis = new Redis(infra.redisUrl);
  });

  afterAll(async () => {
    await reader?.stop();
    if (service) await service.stop('test');
    await deleteRedisKeysByPrefix(keyPrefix, redis);
    redis?.disconnect();
    await stopInfra?.();
  });

  it('judges a spoofing bait after its cancel + 2 s with no further event on the instrument', async () => {
    const env = {
      ...process.env,
      ...serviceEnv(infra, prefix),
      VIGIL_HTTP_PORT: '0',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_DETECTOR_KEY_PREFIX: keyPrefix,
      VIGIL_DETECTOR_IDLE_FLUSH_AFTER: '500ms',
    };
    service = await startService({ name: 'compliance-detector', module: AppModule, config: loadConfig(complianceDetectorConfig, env), logger });
    await readinessOnceReady(service);
    const connection = { brokers: infra.kafkaBrokers, clientId: 'compliance-detector-idle-test', topicPrefix: prefix, registryUrl: infra.registryUrl };
    const alerts: ComplianceAlert[] = [];
    reader = createConsumerRunner<ComplianceAlert>({
      ...connection,
      groupId: `${prefix}alerts-reader`,
      contracts: [complianceAlertsContract],
      logger,
      handler: async (messages) => void alerts.push(...messages.map((m) => m.value)),
    });
    await reader.start();

    // Event time = now, as a live feed's: a bait of 500 (5 × the reference size), the account buys 200 meanwhile, the bait is cancelled.
    const T = Date.now() - 3_000;
    const s = new OrderStream(T, { venue: 'XLON', instrument: 'GB00IDLE' });
    s.newOrder(-2_000, 'BID', { accountId: 'MM', side: 'BUY', price: 100.0, quantity: 100 });
    s.newOrder(-1_000, 'ASK', { accountId: 'MM', side: 'SELL', price: 100.1, quantity: 100 });
    s.newOrder(0, 'BAIT', { accountId: 'S', side: 'SELL', price: 100.15, quantity: 500 });
    s.fill(1_000, 'BUY-1', 'TX', { accountId: 'S', side: 'BUY', fillQty: 200, fillPrice: 100.1, leavesQty: 0 });
    s.cancel(2_000, 'BAIT', { accountId: 'S', side: 'SELL' });
    const producer = createEventProducer(connection);
    try {
      await producer.send(marketOrdersContract, s.events);
    } finally {
      await producer.close();
    }

    // The newest event time is T + 2 s; events alone leave the watermark at T. The idle flush moves it to
    // T + 2 s + idle time − 2 s, past the cancel + 2 s = T + 4 s after about 4 s without events.
    const deadline = Date.now() + 60_000;
    while (!alerts.some((a) => a.type === 'SPOOFING') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alerts.map((a) => [a.type, a.accountId, a.evidence.orderIds])).toEqual([['SPOOFING', 'S', ['BAIT', 'BUY-1']]]);
    const metrics = await (await fetch(`${service.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_compliance_detector_idle_flushes_total\{service="compliance-detector"\} [1-9]/);
  });
});

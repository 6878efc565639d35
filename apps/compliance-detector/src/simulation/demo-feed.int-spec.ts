import { loadConfig } from '@vigil/config';
import { complianceAlertsContract, type ComplianceAlert } from '@vigil/contracts';
import { createConsumerRunner, silentLogger, type ConsumerRunner } from '@vigil/kafka';
import { createLogger } from '@vigil/observability';
import { startService, type RunningService } from '@vigil/service';
import { deleteRedisKeysByPrefix, serviceEnv, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { AppModule } from '../app.module';
import { complianceDetectorConfig } from '../compliance-detector.config';

// npm start's demo: the detector alone, with no order source but its own demo feed, raises alerts within a minute.
describe('the demo feed', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  let service: RunningService | undefined;
  let reader: ConsumerRunner<ComplianceAlert> | undefined;
  const prefix = testPrefix();
  const keyPrefix = `${prefix}det:`;

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['kafka', 'redis', 'registry']));
    redis = new Redis(infra.redisUrl);
  });

  afterAll(async () => {
    await reader?.stop();
    if (service) expect(await service.stop('test')).toBe(0);
    await deleteRedisKeysByPrefix(keyPrefix, redis);
    redis?.disconnect();
    await stopInfra?.();
  });

  it('publishes a simulated market paced to wall time and the detector raises alerts on it within a minute', async () => {
    const startedMs = Date.now();
    const config = loadConfig(complianceDetectorConfig, {
      ...process.env,
      ...serviceEnv(infra, prefix),
      VIGIL_HTTP_PORT: '0',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_DETECTOR_KEY_PREFIX: keyPrefix,
      VIGIL_DETECTOR_DEMO_FEED: 'true',
    });
    service = await startService({ name: 'compliance-detector', module: AppModule, config, logger: createLogger('compliance-detector-test', 'silent') });
    const alerts: ComplianceAlert[] = [];
    reader = createConsumerRunner<ComplianceAlert>({
      brokers: infra.kafkaBrokers,
      clientId: 'demo-feed-test',
      topicPrefix: prefix,
      registryUrl: infra.registryUrl,
      groupId: `${prefix}demo-reader`,
      contracts: [complianceAlertsContract],
      logger: silentLogger,
      lagIntervalMs: 0,
      handler: async (messages) => void alerts.push(...messages.map((m) => m.value)),
    });
    void reader.start();
    for (let i = 0; i < 900 && alerts.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(alerts.length).toBeGreaterThan(0);
    // Event time is wall time: the behaviour reported started within the feed's first minute.
    expect(Date.parse(alerts[0].windowStart)).toBeGreaterThanOrEqual(startedMs - 1_000);
    expect(Date.parse(alerts[0].windowStart) - startedMs).toBeLessThan(60_000);
    expect(['QUOTE_STUFFING', 'SPOOFING', 'MOMENTUM_IGNITION', 'LAYERING']).toContain(alerts[0].type);
  }, 120_000);
});

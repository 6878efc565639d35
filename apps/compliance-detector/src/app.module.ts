import { Module } from '@nestjs/common';
import { AuthModule } from '@vigil/auth';
import { TOPICS } from '@vigil/contracts';
import { KafkaMetrics, MetricsRegistry } from '@vigil/observability';
import { HEALTH_CHECKS, KafkaModule, REDIS_CLIENT, RedisModule, SERVICE_CONFIG, SERVICE_LOGGER } from '@vigil/service';
import type { Logger } from 'pino';
import type Redis from 'ioredis';
import { ComplianceDetectorConsumer } from './compliance-detector.consumer';
import type { ComplianceDetectorConfig } from './compliance-detector.config';
import { complianceDetectorHealthChecks } from './compliance-detector.health';
import { RuleBook } from './config/rule-book';
import { Detector } from './detection/detector';
import { DetectorMetrics } from './detector.metrics';
import { LiveRules } from './rules-api/live-rules.service';
import { RuleChangeStore } from './rules-api/rule-change.store';
import { RulesAudit, SERVICE } from './rules-api/rules-audit';
import { RulesAuditModule } from './rules-api/rules-audit.module';
import { RulesController } from './rules-api/rules.controller';
import { DemoFeed } from './simulation/demo-feed.service';
import { RedisDetectorStore } from './state/redis-detector.store';

@Module({
  imports: [
    RedisModule,
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [TOPICS.marketOrders], produces: [TOPICS.complianceAlerts, TOPICS.auditEvents] }),
    // The gateway's tokens (JWKS), the shipped RBAC policy, every decision audited to audit.events.v1.
    RulesAuditModule,
    AuthModule.forRootAsync({
      imports: [RulesAuditModule],
      inject: [SERVICE_CONFIG, RulesAudit],
      useFactory: (config: ComplianceDetectorConfig, auditSink: RulesAudit) => ({
        service: SERVICE,
        verifier: { issuer: config.VIGIL_DETECTOR_AUTH_ISSUER, audience: config.VIGIL_DETECTOR_AUTH_AUDIENCE, keys: { jwksUrl: config.VIGIL_DETECTOR_AUTH_JWKS_URL } },
        auditSink,
      }),
    }),
  ],
  controllers: [RulesController],
  providers: [
    complianceDetectorHealthChecks,
    {
      provide: RuleChangeStore,
      inject: [REDIS_CLIENT, SERVICE_CONFIG],
      useFactory: (redis: Redis, config: ComplianceDetectorConfig) => new RuleChangeStore(redis, config.VIGIL_DETECTOR_KEY_PREFIX),
    },
    // A bad rule file stops the start here, every problem named with its path in the file. Rule
    // changes made through the API (in Redis) are laid over it before the consumer starts.
    {
      provide: RuleBook,
      inject: [SERVICE_CONFIG, RuleChangeStore, SERVICE_LOGGER],
      useFactory: async (config: ComplianceDetectorConfig, changes: RuleChangeStore, logger: Logger) => {
        const book = RuleBook.load(config.VIGIL_DETECTOR_RULES_FILE);
        const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('Redis did not answer within 3 s')), 3_000).unref());
        try {
          book.applyChanges((await Promise.race([changes.all(), timeout])).changes);
        } catch (error) {
          logger.warn({ err: error }, 'rule changes not loaded at start-up; the file rules run until the poll reads them');
        }
        return book;
      },
    },
    LiveRules,
    DemoFeed,
    {
      provide: DetectorMetrics,
      inject: [MetricsRegistry, KafkaMetrics],
      useFactory: (registry: MetricsRegistry, kafka: KafkaMetrics) => new DetectorMetrics(registry, kafka),
    },
    {
      provide: Detector,
      inject: [RuleBook, REDIS_CLIENT, SERVICE_CONFIG, DetectorMetrics],
      useFactory: (book: RuleBook, redis: Redis, config: ComplianceDetectorConfig, metrics: DetectorMetrics) =>
        new Detector(
          book,
          new RedisDetectorStore(redis, {
            keyPrefix: config.VIGIL_DETECTOR_KEY_PREFIX,
            fingerprintTtlMs: book.detection.fingerprintTtlMs,
            stateTtlMs: config.VIGIL_DETECTOR_STATE_TTL,
          }),
          metrics,
          Date.now,
          { heldInstruments: config.VIGIL_DETECTOR_HELD_INSTRUMENTS },
        ),
    },
    ComplianceDetectorConsumer,
  ],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

import { Module } from '@nestjs/common';
import { TOPICS } from '@vigil/contracts';
import { KafkaMetrics, MetricsRegistry } from '@vigil/observability';
import { HEALTH_CHECKS, KafkaModule, REDIS_CLIENT, RedisModule, SERVICE_CONFIG } from '@vigil/service';
import type Redis from 'ioredis';
import { ComplianceDetectorConsumer } from './compliance-detector.consumer';
import type { ComplianceDetectorConfig } from './compliance-detector.config';
import { complianceDetectorHealthChecks } from './compliance-detector.health';
import { RuleBook } from './config/rule-book';
import { Detector } from './detection/detector';
import { DetectorMetrics } from './detector.metrics';
import { RedisDetectorStore } from './state/redis-detector.store';

@Module({
  imports: [
    RedisModule,
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [TOPICS.marketOrders], produces: [TOPICS.complianceAlerts, TOPICS.auditEvents] }),
  ],
  providers: [
    complianceDetectorHealthChecks,
    // A bad rule file stops the start here, every problem named with its path in the file.
    { provide: RuleBook, inject: [SERVICE_CONFIG], useFactory: (config: ComplianceDetectorConfig) => RuleBook.load(config.VIGIL_DETECTOR_RULES_FILE) },
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

import { FactoryProvider } from '@nestjs/common';
import { HealthCheck, kafkaHealthCheck, redisHealthCheck } from '@vigil/observability';
import { HEALTH_CHECKS, KafkaMetadataProbe, REDIS_CLIENT } from '@vigil/service';
import type Redis from 'ioredis';

/** Ready when Redis (where its windows live) and Kafka answer. */
export const complianceDetectorHealthChecks: FactoryProvider<HealthCheck[]> = {
  provide: HEALTH_CHECKS,
  inject: [REDIS_CLIENT, KafkaMetadataProbe],
  useFactory: (redis: Redis, kafka: KafkaMetadataProbe) => [redisHealthCheck(redis), kafkaHealthCheck(() => kafka.probe())],
};

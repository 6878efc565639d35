import { FactoryProvider } from '@nestjs/common';
import { HealthCheck, redisHealthCheck } from '@vigil/observability';
import { HEALTH_CHECKS, KAFKA_HEALTH_CHECKS, REDIS_CLIENT } from '@vigil/service';
import type Redis from 'ioredis';

/** Ready when Redis (where its windows live) and Kafka answer: a broker, its topics, and the schema registry when VIGIL_SCHEMA_REGISTRY_URL is set. */
export const complianceDetectorHealthChecks: FactoryProvider<HealthCheck[]> = {
  provide: HEALTH_CHECKS,
  inject: [REDIS_CLIENT, KAFKA_HEALTH_CHECKS],
  useFactory: (redis: Redis, kafka: HealthCheck[]) => [redisHealthCheck(redis), ...kafka],
};

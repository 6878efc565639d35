import { FactoryProvider } from '@nestjs/common';
import { HealthCheck, postgresHealthCheck, redisHealthCheck } from '@vigil/observability';
import { HEALTH_CHECKS, KAFKA_HEALTH_CHECKS, PG_POOL, REDIS_CLIENT } from '@vigil/service';
import type Redis from 'ioredis';
import type { Pool } from 'pg';

/**
 * Ready when its database, Redis (brute-force counters and MFA challenges: no login without it)
 * and Kafka answer: a broker, its topics, and the schema registry when VIGIL_SCHEMA_REGISTRY_URL is set.
 */
export const authGatewayHealthChecks: FactoryProvider<HealthCheck[]> = {
  provide: HEALTH_CHECKS,
  inject: [PG_POOL, REDIS_CLIENT, KAFKA_HEALTH_CHECKS],
  useFactory: (pool: Pool, redis: Redis, kafka: HealthCheck[]) => [postgresHealthCheck(pool), redisHealthCheck(redis), ...kafka],
};

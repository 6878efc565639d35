import { FactoryProvider } from '@nestjs/common';
import { HealthCheck, postgresHealthCheck } from '@vigil/observability';
import { HEALTH_CHECKS, KAFKA_HEALTH_CHECKS, PG_POOL } from '@vigil/service';
import type { Pool } from 'pg';

/** Ready when its database and Kafka answer: a broker, its topics, and the schema registry when VIGIL_SCHEMA_REGISTRY_URL is set. */
export const authGatewayHealthChecks: FactoryProvider<HealthCheck[]> = {
  provide: HEALTH_CHECKS,
  inject: [PG_POOL, KAFKA_HEALTH_CHECKS],
  useFactory: (pool: Pool, kafka: HealthCheck[]) => [postgresHealthCheck(pool), ...kafka],
};

import { FactoryProvider } from '@nestjs/common';
import { HealthCheck, postgresHealthCheck } from '@vigil/observability';
import { HEALTH_CHECKS, KAFKA_HEALTH_CHECKS, PG_POOL } from '@vigil/service';
import type { Pool } from 'pg';
import { AlerterBootstrap } from './alerter.bootstrap';

/** Ready when its database answers with its schema migrated, and Kafka answers: a broker, its topics, and the schema registry when VIGIL_SCHEMA_REGISTRY_URL is set. */
export const alerterHealthChecks: FactoryProvider<HealthCheck[]> = {
  provide: HEALTH_CHECKS,
  inject: [PG_POOL, KAFKA_HEALTH_CHECKS, AlerterBootstrap],
  useFactory: (pool: Pool, kafka: HealthCheck[], bootstrap: AlerterBootstrap) => [postgresHealthCheck(pool), bootstrap.healthCheck, ...kafka],
};

import { FactoryProvider } from '@nestjs/common';
import { HealthCheck, kafkaHealthCheck, postgresHealthCheck } from '@vigil/observability';
import { HEALTH_CHECKS, KafkaMetadataProbe, PG_POOL } from '@vigil/service';
import type { Pool } from 'pg';

/** Ready when its database and Kafka answer. */
export const reporterHealthChecks: FactoryProvider<HealthCheck[]> = {
  provide: HEALTH_CHECKS,
  inject: [PG_POOL, KafkaMetadataProbe],
  useFactory: (pool: Pool, kafka: KafkaMetadataProbe) => [postgresHealthCheck(pool), kafkaHealthCheck(() => kafka.probe())],
};

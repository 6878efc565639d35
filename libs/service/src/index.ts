export { KafkaProbeModule } from './kafka/kafka-probe.module';
export { KafkaMetadataProbe } from './kafka/kafka-metadata.probe';
export { setupOpenApi, type OpenApiInfo } from './openapi';
export { PostgresModule } from './postgres/postgres.module';
export { RedisModule } from './redis/redis.module';
export { configureServiceApp, runService, startService, type RunServiceOptions, type RunningService } from './run-service';
export { HEALTH_CHECKS, PG_POOL, REDIS_CLIENT, SERVICE_CONFIG, SERVICE_NAME } from './service.constants';
export { ServiceModule, type ServiceModuleOptions } from './service.module';
export { ShutdownService } from './shutdown/shutdown.service';

export { KafkaModule, kafkaOptionsOf, topicSpecsOf, type ServiceTopics } from './kafka/kafka.module';
export { kafkaHealthChecks } from './kafka/kafka.health';
export { TopicBootstrap } from './kafka/topic-bootstrap';
export { setupOpenApi, type OpenApiInfo } from './openapi';
export { PostgresModule } from './postgres/postgres.module';
export { DATABASE_CREDENTIAL_FIELDS } from './postgres/vault-database-credential';
export { RedisModule } from './redis/redis.module';
export { configureServiceApp, runService, startService, type RunServiceOptions, type RunningService } from './run-service';
export { readinessOnceReady, topicPartitions } from './testing/service-probes';
export {
  HEALTH_CHECKS,
  KAFKA_HEALTH_CHECKS,
  KAFKA_OPTIONS,
  PG_POOL,
  REDIS_CLIENT,
  SERVICE_CONFIG,
  SERVICE_LOGGER,
  SERVICE_NAME,
} from './service.constants';
export { ServiceModule, type ServiceModuleOptions } from './service.module';
export { ShutdownService, type ShutdownStage } from './shutdown/shutdown.service';
export { openServiceVault, readClientSecret, type ServiceVaultAccess, type VaultLogger } from './vault/service-vault-access';

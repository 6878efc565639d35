/**
 * Provider tokens of the service runtime. SERVICE_NAME, SERVICE_CONFIG, SERVICE_LOGGER,
 * MetricsRegistry, KafkaMetrics and ShutdownService are global: any module of the app can
 * inject them.
 */

/** The service's name, e.g. 'vault' (a string). */
export const SERVICE_NAME = Symbol('SERVICE_NAME');

/** The service's validated config, as loaded in its main (a BaseServiceConfig or an extension of it). */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');

/**
 * The service's root pino logger (secrets redacted). For code that takes a pino logger,
 * like @vigil/kafka's consumer runner: `logger.child({ context: 'Orders' })`.
 */
export const SERVICE_LOGGER = Symbol('SERVICE_LOGGER');

/** The readiness checks (HealthCheck[]) /readyz runs; the app's root module provides and exports it. */
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

/** The service's pg Pool, from PostgresModule. */
export const PG_POOL = Symbol('PG_POOL');

/** The service's ioredis client, from RedisModule. */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** The service's KafkaConnectionOptions (brokers, clientId, topicPrefix, registryUrl), from KafkaModule. */
export const KAFKA_OPTIONS = Symbol('KAFKA_OPTIONS');

/** KafkaModule's readiness checks (HealthCheck[]): 'kafka', and 'schema-registry' when a registry is configured. */
export const KAFKA_HEALTH_CHECKS = Symbol('KAFKA_HEALTH_CHECKS');

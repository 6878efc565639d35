export * from './health';
export { KafkaMetrics } from './kafka-metrics';
export { createLogger } from './logger';
export { MetricsRegistry } from './metrics-registry';
export { REDACT_PATHS, REDACTED } from './redaction.constants';

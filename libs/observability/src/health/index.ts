export { describeError } from './describe-error';
export { DEFAULT_CHECK_TIMEOUT_MS, type CheckOptions, type CheckOutcome, type HealthCheck, type ReadinessReport } from './health-check';
export { kafkaHealthCheck } from './kafka.health';
export { postgresHealthCheck, type Queryable } from './postgres.health';
export { redisHealthCheck, type Pingable } from './redis.health';
export { runHealthChecks } from './run-health-checks';
export { withTimeout } from './timeout';

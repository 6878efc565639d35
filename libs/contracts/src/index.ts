export type { Contract, AvroRecordSchema, FieldProblem } from './contract';
export { ContractViolation } from './contract';
export { TOPICS, dlqTopicOf, DLQ_HEADERS } from './topics.constants';
export type { TopicName } from './topics.constants';
export { CONTRACTS, contractFor, findContract } from './contracts.registry';
export type { TopicValues } from './contracts.registry';
export { SEVERITIES } from './common/severity.constants';
export type { Severity } from './common/severity.constants';
export type { JsonObject, JsonValue } from './validation/free-form-object.schema';
export { rfc3339ToEpochMs, rfc3339ToEpochNanos } from './validation/rfc3339';

export * from './market-orders.v1';
export * from './compliance-alerts.v1';
export * from './audit-events.v1';
export * from './security-incidents.v1';
export * from './audit-checkpoints';
export * from './reports-generated';

// Valid example events for other projects' tests (small, pure; no test framework inside).
export * from './testing';

export * from './audit-event.type';
export { auditEventSchema, AUDIT_ACTION_PATTERN } from './audit-event.schema';
export { auditEventAvroSchema } from './audit-event.avsc';
export { auditEventsContract } from './audit-events.contract';

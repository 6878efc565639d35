import type { AvroRecordSchema } from '../contract';
import { avroEnum, optional, required } from '../avro/avro-fields';
import { ACTOR_TYPES, AUDIT_OUTCOMES } from './audit-event.type';

export const auditActorAvroSchema = {
  type: 'record',
  name: 'AuditActor',
  fields: [
    required('type', avroEnum('ActorType', ACTOR_TYPES)),
    required('id', 'string'),
    optional('roles', { type: 'array', items: 'string' }),
    optional('ip', 'string', 'IPv4 or IPv6 address.'),
  ],
} as const satisfies AvroRecordSchema;

/** Avro form of audit.events.v1; `details` is free-form, so it travels as JSON text. */
export const auditEventAvroSchema: AvroRecordSchema = {
  type: 'record',
  name: 'AuditEvent',
  namespace: 'dev.vigil.audit.events.v1',
  doc: 'One security-relevant action of one Vigil service (audit.events.v1, key: service).',
  fields: [
    required('eventId', 'string', 'Unique id.'),
    required('ts', 'string', 'RFC 3339.'),
    required('service', 'string', 'Emitting service.'),
    required('actor', auditActorAvroSchema, 'Who did it.'),
    required('action', 'string', 'Dotted lowercase action, e.g. auth.login.'),
    required('resource', 'string', 'What it was done to, e.g. secret:db/audit-writer.'),
    required('outcome', avroEnum('AuditOutcome', AUDIT_OUTCOMES)),
    optional('reason', 'string', 'Why denied or failed.'),
    optional('traceId', 'string', 'Correlation id across services.'),
    optional('details', 'string', 'JSON-encoded object; never a secret value, password, token or key.'),
  ],
};

import type { Contract } from '../contract';
import { parseJsonField, pickForAvro, withoutNulls } from '../avro/avro-fields';
import { TOPICS } from '../topics.constants';
import { type ContractSpec, defineContract } from '../validation/define-contract';
import { auditActorAvroSchema, auditEventAvroSchema } from './audit-event.avsc';
import { fastParseAuditEvent } from './audit-event.fast-parse';
import { auditEventSchema } from './audit-event.schema';
import type { AuditEvent } from './audit-event.type';

export const auditEventsContractSpec: ContractSpec<AuditEvent> = {
  topic: TOPICS.auditEvents,
  schema: auditEventSchema,
  fastParse: fastParseAuditEvent,
  keyOf: (event) => event.service,
  avroSchema: auditEventAvroSchema,
  toAvro: (event) => ({
    ...pickForAvro(event, auditEventAvroSchema.fields),
    actor: pickForAvro(event.actor, auditActorAvroSchema.fields),
    details: event.details === undefined ? null : JSON.stringify(event.details),
  }),
  fromAvro: (record) => {
    const event = withoutNulls(record);
    if (isRecord(event['actor'])) event['actor'] = withoutNulls(event['actor']);
    if ('details' in event) event['details'] = parseJsonField(event['details']);
    return event;
  },
};

/** audit.events.v1: every security-relevant action of every service, keyed by service. */
export const auditEventsContract: Contract<AuditEvent> = defineContract(auditEventsContractSpec);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

import type { Contract } from '../contract';
import { pickForAvro, withoutNulls } from '../avro/avro-fields';
import { TOPICS } from '../topics.constants';
import { defineContract } from '../validation/define-contract';
import { auditCheckpointAvroSchema } from './audit-checkpoint.avsc';
import { auditCheckpointSchema } from './audit-checkpoint.schema';
import type { AuditCheckpoint } from './audit-checkpoint.type';

/** audit.checkpoints (Vigil-internal): signed tree heads of the audit logs, keyed by logId. */
export const auditCheckpointsContract: Contract<AuditCheckpoint> = defineContract({
  topic: TOPICS.auditCheckpoints,
  schema: auditCheckpointSchema,
  keyOf: (checkpoint) => checkpoint.logId,
  avroSchema: auditCheckpointAvroSchema,
  toAvro: (checkpoint) => pickForAvro(checkpoint, auditCheckpointAvroSchema.fields),
  fromAvro: withoutNulls,
});

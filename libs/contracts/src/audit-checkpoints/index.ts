export * from './audit-checkpoint.type';
export { auditCheckpointSchema } from './audit-checkpoint.schema';
export { auditCheckpointAvroSchema } from './audit-checkpoint.avsc';
export { auditCheckpointsContract } from './audit-checkpoints.contract';

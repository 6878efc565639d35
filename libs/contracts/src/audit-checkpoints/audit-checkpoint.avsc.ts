import type { AvroRecordSchema } from '../contract';
import { required } from '../avro/avro-fields';

/** Avro form of audit.checkpoints (Vigil-internal). */
export const auditCheckpointAvroSchema: AvroRecordSchema = {
  type: 'record',
  name: 'AuditCheckpoint',
  namespace: 'dev.vigil.audit.checkpoints',
  doc: 'Signed Merkle tree head of one audit log (audit.checkpoints, key: logId).',
  fields: [
    required('origin', 'string', 'Checkpoint origin line.'),
    required('logId', 'string', 'Source topic-partition of the log, or global.'),
    required('treeSize', 'long', 'Number of leaves.'),
    required('rootHash', 'string', 'RFC 6962 root hash, base64 of 32 bytes.'),
    required('timestamp', 'string', 'RFC 3339.'),
    required('note', 'string', 'Full C2SP signed note text.'),
  ],
};

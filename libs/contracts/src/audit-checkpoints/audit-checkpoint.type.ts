/** The logId of the periodic checkpoint that signs the roots of all partition logs. */
export const GLOBAL_LOG_ID = 'global';

/**
 * An audit.checkpoints event (Vigil-internal): a signed Merkle tree head of one audit log.
 * Key: logId. `note` is the full C2SP signed note (tlog-checkpoint body + signature lines);
 * the other fields repeat its body so consumers need not parse the note to route or index it.
 */
export interface AuditCheckpoint {
  /** Checkpoint origin line, e.g. `vigil.dev/audit/audit.events.v1-0`. */
  origin: string;
  /** Source `<topic>-<partition>` of the log, or `global`. */
  logId: string;
  /** Number of leaves in the tree. */
  treeSize: number;
  /** RFC 6962 root hash, standard base64 of 32 bytes. */
  rootHash: string;
  /** When the checkpoint was made, RFC 3339. */
  timestamp: string;
  /** The C2SP signed note: `<origin>\n<treeSize>\n<rootHash>\n[extensions]\n\n— <name> <sig>\n...`. */
  note: string;
}

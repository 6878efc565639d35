/**
 * @vigil/merkle — the tamper-evident log's mathematics: RFC 6962 / RFC 9162 Merkle tree
 * hashing, inclusion and consistency proofs (builders over a NodeSource, verifiers apart),
 * an incremental appender, and C2SP signed-note checkpoints. See README.md.
 */
export { HASH_SIZE, emptyRootHash, leafHash, nodeHash } from './hashing/rfc6962';
export { rootHash } from './tree/root-hash';
export { CompactRange, type NodeVisitor } from './tree/compact-range';
export { nodeId, nodeCoverage, perfectSubtrees, type NodeId } from './tree/node-id';
export type { NodeSource } from './tree/node-source';
export { MemoryNodeSource } from './tree/memory-node-source';

export { inclusionProof, consistencyProof, rootHashFromSource } from './proof/proof-builders';
export { inclusionPlan, consistencyPlan, rootPlan, type ProofPlan } from './proof/proof-plan';
export { verifyInclusion, inclusionProofLength } from './proof/verify-inclusion';
export { verifyConsistency, consistencyProofLength } from './proof/verify-consistency';
export { ProofError, type ProofFailure } from './proof/proof-error';

export { NoteError, type NoteFailure } from './note/note-error';
export {
  createNoteSigner,
  formatKeyId,
  formatVerifierKey,
  generateNoteKeys,
  noteKeyId,
  parseSignerKey,
  parseVerifierKey,
  type NoteSigner,
  type NoteVerifier,
} from './note/note-keys';
export { MAX_NOTE_SIGNATURES, signNote, verifyNote, type NoteSignature, type VerifiedNote } from './note/signed-note';
export { formatCheckpoint, parseCheckpoint, type Checkpoint } from './checkpoint/checkpoint';
export { signCheckpoint, verifyCheckpoint, type VerifiedCheckpoint } from './checkpoint/checkpoint-note';

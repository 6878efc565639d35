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


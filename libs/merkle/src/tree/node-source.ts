import type { NodeId } from './node-id';

/**
 * Where proof builders read perfect-subtree hashes from: the node store of a log. The
 * audit-writer keeps them in Postgres (the ones CompactRange.append reports); tests and
 * small trees use MemoryNodeSource.
 *
 * A builder asks once per proof, with every node it needs (at most about 2·log2(n)), so
 * one round trip serves one proof. Return the hashes in the order of `ids`; every id is
 * a perfect subtree inside the tree size the proof is for. Throw if a node is missing —
 * never return a placeholder.
 */
export interface NodeSource {
  getNodes(ids: readonly NodeId[]): Promise<readonly Uint8Array[]> | readonly Uint8Array[];
}

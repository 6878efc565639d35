import { describeKind, emptyRootHash, HASH_SIZE, nodeHash } from '../hashing/rfc6962';
import { formatNodeId, perfectSubtrees, type NodeId } from './node-id';
import { half, isOdd, isTreeInteger } from './tree-math';

/** Told about every perfect subtree an append completes: the new leaf first, then its new ancestors. */
export type NodeVisitor = (id: NodeId, hash: Buffer) => void;

/**
 * The right edge of a log of `size` leaves: the hashes of the perfect subtrees that
 * cover [0, size), largest first — one per set bit of size, so at most 53. That is all
 * a writer needs to append more leaves and compute the new root without reading any old
 * leaf (the compact range of transparency-dev/merkle, restricted to ranges that start
 * at leaf 0, which is what a log is).
 *
 * Appending reports each completed perfect subtree to a visitor: those are exactly the
 * node hashes to store so that proofs can later be built from the store (see NodeSource).
 */
export class CompactRange {
  private constructor(
    private treeSize: number,
    private readonly edge: Buffer[],
  ) {}

  static empty(): CompactRange {
    return new CompactRange(0, []);
  }

  /** The perfect subtrees whose hashes `fromHashes` needs for a tree of this size, left to right. */
  static nodeIds(size: number): NodeId[] {
    return perfectSubtrees(0, size);
  }

  /**
   * Resumes from stored state: `hashes` are the hashes of `CompactRange.nodeIds(size)`, in
   * that order (for instance read back from the node store after a restart).
   */
  static fromHashes(size: number, hashes: readonly Uint8Array[]): CompactRange {
    if (!isTreeInteger(size)) throw new RangeError(`CompactRange.fromHashes: size must be a non-negative safe integer; received ${describeKind(size)}`);
    const ids = perfectSubtrees(0, size);
    if (!Array.isArray(hashes) || hashes.length !== ids.length) {
      throw new RangeError(`CompactRange.fromHashes: a tree of size ${size} needs ${ids.length} subtree hashes (${ids.map(formatNodeId).join(', ') || 'none'}); received ${describeKind(hashes)}${Array.isArray(hashes) ? ` of length ${hashes.length}` : ''}`);
    }
    hashes.forEach((hash, i) => {
      if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
        throw new RangeError(`CompactRange.fromHashes: hash ${i} for node ${formatNodeId(ids[i] as NodeId)} must be ${HASH_SIZE} bytes; received ${describeKind(hash)}`);
      }
    });
    return new CompactRange(size, hashes.map((hash) => Buffer.from(hash)));
  }

  get size(): number {
    return this.treeSize;
  }

  /** Copies of the edge hashes, in the order of `CompactRange.nodeIds(size)`. */
  hashes(): Buffer[] {
    return this.edge.map((hash) => Buffer.from(hash));
  }

  /** Adds one leaf (its leaf hash, see leafHash) at index `size`. */
  append(leafHashValue: Uint8Array, visit?: NodeVisitor): void {
    if (!(leafHashValue instanceof Uint8Array) || leafHashValue.length !== HASH_SIZE) {
      throw new RangeError(`CompactRange.append: the leaf hash must be ${HASH_SIZE} bytes; received ${describeKind(leafHashValue)}`);
    }
    if (!isTreeInteger(this.treeSize + 1)) throw new RangeError('CompactRange.append: the tree is full (2^53 - 1 leaves)');
    let hash: Buffer = Buffer.from(leafHashValue);
    let index = this.treeSize;
    let level = 0;
    visit?.({ level, index }, hash);
    // Each set low bit of the old size is a left sibling waiting for this subtree.
    while (isOdd(index)) {
      hash = nodeHash(this.edge.pop() as Buffer, hash);
      index = half(index);
      level += 1;
      visit?.({ level, index }, hash);
    }
    this.edge.push(hash);
    this.treeSize += 1;
  }

  appendAll(leafHashes: Iterable<Uint8Array>, visit?: NodeVisitor): void {
    for (const hash of leafHashes) this.append(hash, visit);
  }

  /** MTH of the whole range: the edge hashes folded from the right (RFC 6962 splits the same way). */
  rootHash(): Buffer {
    if (this.edge.length === 0) return emptyRootHash();
    let root = this.edge[this.edge.length - 1] as Buffer;
    for (let i = this.edge.length - 2; i >= 0; i--) root = nodeHash(this.edge[i] as Buffer, root);
    return root === this.edge[this.edge.length - 1] ? Buffer.from(root) : root;
  }

  clone(): CompactRange {
    return new CompactRange(this.treeSize, this.hashes());
  }
}

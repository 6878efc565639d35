import { describeKind } from '../hashing/rfc6962';
import { CompactRange } from './compact-range';

/**
 * MTH(D[n]) of RFC 6962 §2.1 / RFC 9162 §2.1.1 from the leaf hashes (leafHash of each
 * entry), in order. Iterative over a compact range: n - 1 node hashes, memory for 53
 * hashes, any n. Zero leaves give the empty-tree root SHA-256("").
 */
export function rootHash(leafHashes: readonly Uint8Array[] | Iterable<Uint8Array>): Buffer {
  if (leafHashes === null || typeof leafHashes !== 'object' || !(Symbol.iterator in leafHashes)) {
    throw new TypeError(`rootHash: expected the leaf hashes as an array or iterable of 32-byte hashes; received ${describeKind(leafHashes)}`);
  }
  const range = CompactRange.empty();
  range.appendAll(leafHashes);
  return range.rootHash();
}

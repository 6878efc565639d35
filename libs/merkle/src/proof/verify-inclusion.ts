import { nodeHash } from '../hashing/rfc6962';
import { half, isOdd } from '../tree/tree-math';
import { ProofError } from './proof-error';
import { bytesEqual, hex, requireHash, requireProof, requireTreeInteger } from './verify-arguments';

/**
 * Checks that the leaf with hash `leafHashValue` is leaf `index` (0-based) of the tree of
 * `size` leaves whose root is `root`, using `proof` (audit path, nearest the leaf first).
 * Returns nothing when it is; otherwise throws ProofError — for any input, however
 * malformed. The algorithm of RFC 9162 §2.1.3.2, with the proof length checked first.
 */
export function verifyInclusion(index: number, size: number, leafHashValue: Uint8Array, proof: readonly Uint8Array[], root: Uint8Array): void {
  requireTreeInteger(index, 'index');
  requireTreeInteger(size, 'size');
  if (index >= size) throw new ProofError('INDEX_OUT_OF_RANGE', `index ${index} is not a leaf of a tree of size ${size} (0-based indices need index < size)`);
  requireHash(leafHashValue, 'leafHash');
  requireHash(root, 'root');
  const path = requireProof(proof, inclusionProofLength(index, size));

  let fn = index;
  let sn = size - 1;
  let r: Buffer = Buffer.from(leafHashValue);
  for (const p of path) {
    if (sn === 0) throw new ProofError('WRONG_PROOF_LENGTH', 'proof is longer than the path to the root');
    if (isOdd(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('WRONG_PROOF_LENGTH', 'proof ends below the root');
  if (!bytesEqual(r, root)) {
    throw new ProofError('ROOT_MISMATCH', `the proof leads to root ${hex(r)}, not ${hex(root)}: the leaf, its index, the size or a proof hash is not what the log signed`);
  }
}

/** The number of hashes in the inclusion proof of leaf `index` in a tree of `size` leaves (index < size). */
export function inclusionProofLength(index: number, size: number): number {
  // The loop of RFC 9162 §2.1.3.2 without the hashing: one proof hash per step to the root.
  let fn = index;
  let sn = size - 1;
  let length = 0;
  while (sn > 0) {
    if (!isOdd(fn) && fn === sn) {
      while (!isOdd(fn) && fn !== 0) {
        fn = half(fn);
        sn = half(sn);
      }
    }
    fn = half(fn);
    sn = half(sn);
    length += 1;
  }
  return length;
}

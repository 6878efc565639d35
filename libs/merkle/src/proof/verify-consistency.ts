import { nodeHash } from '../hashing/rfc6962';
import { half, isOdd, isPowerOfTwo } from '../tree/tree-math';
import { ProofError } from './proof-error';
import { bytesEqual, hex, requireBytes, requireHash, requireProof, requireTreeInteger } from './verify-arguments';

/**
 * Checks that the tree of size2 leaves with root `root2` extends — keeps unchanged, in
 * order — the tree of size1 leaves with root `root1`, using `proof`. Returns nothing when
 * it does; otherwise throws ProofError, for any input however malformed.
 *
 * - size1 = 0 is always refused (EMPTY_OLD_TREE): every tree extends the empty one, so
 *   such a proof carries no information (README, "Consistency from size 0").
 * - size1 = size2: the proof must be empty and the roots byte-identical.
 * - otherwise the algorithm of RFC 9162 §2.1.4.2, with the proof length checked first.
 */
export function verifyConsistency(size1: number, size2: number, root1: Uint8Array, root2: Uint8Array, proof: readonly Uint8Array[]): void {
  requireTreeInteger(size1, 'size1');
  requireTreeInteger(size2, 'size2');
  if (size1 > size2) throw new ProofError('SIZES_OUT_OF_ORDER', `size1 ${size1} > size2 ${size2}: a log only grows; pass the older tree first`);
  if (size1 === 0) {
    throw new ProofError('EMPTY_OLD_TREE', 'size1 is 0: every tree extends the empty tree, so there is nothing to verify; trust the first signed checkpoint (or recompute its root from the entries) instead');
  }
  if (size1 === size2) {
    // Same tree: nothing to hash. The roots are compared as given (transparency-dev does
    // the same); a root of the wrong length can only equal another of the same bytes.
    requireBytes(root1, 'root1');
    requireBytes(root2, 'root2');
    requireProof(proof, 0);
    if (!bytesEqual(root1, root2)) throw new ProofError('ROOT_MISMATCH', `two different roots for the same size ${size1}: ${hex(root1)} and ${hex(root2)} — the log forked`);
    return;
  }
  requireHash(root1, 'root1');
  requireHash(root2, 'root2');
  // RFC 9162 step 2: when size1 is a power of two, the old root is itself the first
  // node of the path, and the proof omits it.
  const prependRoot1 = isPowerOfTwo(size1);
  const given = requireProof(proof, consistencyProofLength(size1, size2));
  const path = prependRoot1 ? [root1, ...given] : given;

  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let fr: Buffer = Buffer.from(path[0] as Uint8Array);
  let sr = fr;
  for (const c of path.slice(1)) {
    if (sn === 0) throw new ProofError('WRONG_PROOF_LENGTH', 'proof is longer than the path to the root');
    if (isOdd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!isOdd(fn)) {
        while (!isOdd(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  if (sn !== 0) throw new ProofError('WRONG_PROOF_LENGTH', 'proof ends below the root');
  if (!bytesEqual(fr, root1)) {
    throw new ProofError('OLD_ROOT_MISMATCH', `the proof leads to an old root ${hex(fr)}, not root1 ${hex(root1)}: the sizes, root1 or a proof hash is wrong`);
  }
  if (!bytesEqual(sr, root2)) {
    throw new ProofError('ROOT_MISMATCH', `the proof leads to a new root ${hex(sr)}, not root2 ${hex(root2)}: the tree of size ${size2} does not extend the tree of size ${size1} as given`);
  }
}

/** The number of hashes in the consistency proof between sizes 0 < size1 ≤ size2. */
export function consistencyProofLength(size1: number, size2: number): number {
  if (size1 === size2) return 0;
  // The loop of RFC 9162 §2.1.4.2 without the hashing; the seed (old root or first proof
  // hash) is one element, minus one when the old root stands in for it.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (isOdd(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  let length = isPowerOfTwo(size1) ? 0 : 1;
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

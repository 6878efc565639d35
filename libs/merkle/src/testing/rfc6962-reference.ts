// RFC 6962 §2.1 transcribed literally (recursive, every leaf in memory): the oracle the
// real implementation is checked against in property tests. Never used outside tests.
import { emptyRootHash, nodeHash } from '../hashing/rfc6962';

const k = (n: number): number => {
  let power = 1;
  while (power * 2 < n) power *= 2;
  return power;
};

/** MTH(D[n]) over leaf hashes. */
export function referenceRoot(leaves: readonly Buffer[]): Buffer {
  if (leaves.length === 0) return emptyRootHash();
  if (leaves.length === 1) return leaves[0] as Buffer;
  const split = k(leaves.length);
  return nodeHash(referenceRoot(leaves.slice(0, split)), referenceRoot(leaves.slice(split)));
}

/** PATH(m, D[n]). */
export function referencePath(m: number, leaves: readonly Buffer[]): Buffer[] {
  if (leaves.length <= 1) return [];
  const split = k(leaves.length);
  return m < split
    ? [...referencePath(m, leaves.slice(0, split)), referenceRoot(leaves.slice(split))]
    : [...referencePath(m - split, leaves.slice(split)), referenceRoot(leaves.slice(0, split))];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true). */
export function referenceConsistency(m: number, leaves: readonly Buffer[]): Buffer[] {
  return subproof(m, leaves, true);
}

function subproof(m: number, leaves: readonly Buffer[], b: boolean): Buffer[] {
  const n = leaves.length;
  if (m === n) return b ? [] : [referenceRoot(leaves)];
  const split = k(n);
  return m <= split
    ? [...subproof(m, leaves.slice(0, split), b), referenceRoot(leaves.slice(split))]
    : [...subproof(m - split, leaves.slice(split), false), referenceRoot(leaves.slice(0, split))];
}

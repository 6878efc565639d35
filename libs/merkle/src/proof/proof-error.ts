/** Why a proof was rejected. Stable strings: log them, count them, branch on them. */
export type ProofFailure =
  /** A size or index is not an integer in [0, 2^53), or the proof is not an array of byte arrays. */
  | 'INVALID_ARGUMENT'
  /** A leaf hash, root or proof element is not 32 bytes. */
  | 'BAD_HASH_LENGTH'
  /** Inclusion: index ≥ size (including every index in the empty tree). */
  | 'INDEX_OUT_OF_RANGE'
  /** Consistency: size1 > size2 — a log never shrinks. */
  | 'SIZES_OUT_OF_ORDER'
  /** Consistency: size1 = 0, which proves nothing and is always refused (see the README). */
  | 'EMPTY_OLD_TREE'
  /** The proof has more or fewer hashes than the sizes and index call for. */
  | 'WRONG_PROOF_LENGTH'
  /** Consistency: the proof does not lead back to root1 (the old tree). */
  | 'OLD_ROOT_MISMATCH'
  /** The proof leads to a root other than the one given (for consistency: root2). */
  | 'ROOT_MISMATCH';

/**
 * The only error verifyInclusion and verifyConsistency throw. A caller that forgets to
 * catch it fails closed, which is why verification throws instead of returning a flag.
 */
export class ProofError extends Error {
  override readonly name = 'ProofError';

  constructor(
    readonly code: ProofFailure,
    message: string,
  ) {
    super(`${code}: ${message}`);
  }
}

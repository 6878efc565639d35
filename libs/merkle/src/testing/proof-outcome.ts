import { ProofError, type ProofFailure } from '../proof/proof-error';

/** The ProofError code a verification throws, or 'ok'. Any other error propagates (and fails the test). */
export function proofOutcome(run: () => void): ProofFailure | 'ok' {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (error instanceof ProofError) return error.code;
    throw error;
  }
}

export function flipBit(hash: Uint8Array, bit: number): Buffer {
  const copy = Buffer.from(hash);
  copy[bit >> 3] = (copy[bit >> 3] as number) ^ (1 << (bit & 7));
  return copy;
}

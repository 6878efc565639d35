import { leafHash, nodeHash } from '../hashing/rfc6962';
import { MemoryNodeSource } from '../tree/memory-node-source';
import type { NodeSource } from '../tree/node-source';
import { referenceConsistency, referencePath, referenceRoot } from '../testing/rfc6962-reference';
import { flipBit, proofOutcome } from '../testing/proof-outcome';
import { consistencyProof, inclusionProof, rootHashFromSource } from './proof-builders';
import { consistencyProofLength, verifyConsistency } from './verify-consistency';
import { inclusionProofLength, verifyInclusion } from './verify-inclusion';

// Every tree of 1-64 leaves, every leaf, every pair of sizes: the builder (over a node
// store) must produce exactly what the RFC 6962 recursion produces, the verifier must
// accept it, and must reject it once anything about it is changed.
const MAX = 64;
const leaves = Array.from({ length: MAX }, (_, i) => leafHash(Buffer.from(`property entry ${i}`)));
const source = new MemoryNodeSource(leaves);
const roots = [Buffer.alloc(0), ...Array.from({ length: MAX }, (_, i) => referenceRoot(leaves.slice(0, i + 1)))];
const sizes = Array.from({ length: MAX }, (_, i) => i + 1);
const hex = (hashes: Buffer[]) => hashes.map((hash) => hash.toString('hex'));

describe('inclusion proofs, every leaf of every tree of 1-64 leaves', () => {
  it.each(sizes)('size %d', async (size) => {
    const root = roots[size] as Buffer;
    expect((await rootHashFromSource(source, size)).equals(root)).toBe(true);
    for (let index = 0; index < size; index++) {
      const leaf = leaves[index] as Buffer;
      const proof = await inclusionProof(source, index, size);
      expect(hex(proof)).toEqual(hex(referencePath(index, leaves.slice(0, size))));
      expect(proof).toHaveLength(inclusionProofLength(index, size));
      expect(proofOutcome(() => verifyInclusion(index, size, leaf, proof, root))).toBe('ok');

      // Another leaf's hash, another index, a proof one hash short or long, one bit off.
      expect(proofOutcome(() => verifyInclusion(index, size, leaves[(index + 1) % MAX] as Buffer, proof, root))).not.toBe('ok');
      if (size > 1) expect(proofOutcome(() => verifyInclusion((index + 1) % size, size, leaf, proof, root))).not.toBe('ok');
      if (proof.length > 0) expect(proofOutcome(() => verifyInclusion(index, size, leaf, proof.slice(1), root))).not.toBe('ok');
      expect(proofOutcome(() => verifyInclusion(index, size, leaf, [...proof, root], root))).not.toBe('ok');
      proof.forEach((_, i) => {
        const bad = proof.map((hash, j) => (i === j ? flipBit(hash, (index * 31 + i) % 256) : hash));
        expect(proofOutcome(() => verifyInclusion(index, size, leaf, bad, root))).toBe('ROOT_MISMATCH');
      });
    }
  });
});

describe('consistency proofs, every pair of sizes 1 ≤ size1 ≤ size2 ≤ 64', () => {
  it.each(sizes)('size2 %d', async (size2) => {
    const root2 = roots[size2] as Buffer;
    for (let size1 = 1; size1 <= size2; size1++) {
      const root1 = roots[size1] as Buffer;
      const proof = await consistencyProof(source, size1, size2);
      expect(hex(proof)).toEqual(hex(referenceConsistency(size1, leaves.slice(0, size2))));
      expect(proof).toHaveLength(consistencyProofLength(size1, size2));
      expect(proofOutcome(() => verifyConsistency(size1, size2, root1, root2, proof))).toBe('ok');

      // (A wrong size2 whose path has the same shape cannot be told apart — see the
      // inclusion spec; a checkpoint binds each size to its root.)
      if (size1 > 1) expect(proofOutcome(() => verifyConsistency(size1 - 1, size2, root1, root2, proof))).not.toBe('ok');
      if (size1 < size2) {
        expect(proofOutcome(() => verifyConsistency(size1, size2, root2, root1, proof))).not.toBe('ok');
        expect(proofOutcome(() => verifyConsistency(size1 + 1, size2, root1, root2, proof))).not.toBe('ok');
        expect(proofOutcome(() => verifyConsistency(size1, size2, root1, root2, proof.slice(0, -1)))).not.toBe('ok');
      }
      expect(proofOutcome(() => verifyConsistency(size1, size2, root1, root2, [...proof, root2]))).not.toBe('ok');
      proof.forEach((_, i) => {
        const bad = proof.map((hash, j) => (i === j ? flipBit(hash, (size1 * 17 + i) % 256) : hash));
        expect(proofOutcome(() => verifyConsistency(size1, size2, root1, root2, bad))).not.toBe('ok');
      });
    }
  });
});

describe('trees past 2^32 leaves (exact arithmetic, no 32-bit bitwise operators)', () => {
  // A tree whose leaves are all the same has one hash per level, so a node source for
  // any size fits in 54 hashes — enough to build and verify proofs in huge trees.
  const levels = [leafHash(Buffer.from('same'))];
  for (let level = 1; level <= 53; level++) levels.push(nodeHash(levels[level - 1] as Buffer, levels[level - 1] as Buffer));
  const uniform: NodeSource = { getNodes: (ids) => ids.map((id) => levels[id.level] as Buffer) };

  // transparency-dev/merkle's decomposition, in BigInt: inner = bitlen(index ^ (size-1)), border = popcount(index >> inner).
  const bigInclusionLength = (index: number, size: number) => {
    const inner = (BigInt(index) ^ BigInt(size - 1)).toString(2).replace(/^0+/, '').length;
    const border = [...(BigInt(index) >> BigInt(inner)).toString(2)].filter((bit) => bit === '1').length;
    return inner + border;
  };

  it.each([
    [2 ** 32 - 1, 2 ** 32],
    [2 ** 32, 2 ** 32 + 1],
    [2 ** 32 + 12345, 2 ** 33 + 7],
    [3, 2 ** 40 + 3],
    [2 ** 40 + 1, 2 ** 52 + 2 ** 40 + 3],
    [2 ** 53 - 2, 2 ** 53 - 1],
    [2 ** 52 + 5, 2 ** 53 - 1],
  ])('leaf %d of %d, and consistency between those sizes', async (index, size) => {
    const root = await rootHashFromSource(uniform, size);
    const proof = await inclusionProof(uniform, index, size);
    expect(proof).toHaveLength(bigInclusionLength(index, size));
    expect(proofOutcome(() => verifyInclusion(index, size, levels[0] as Buffer, proof, root))).toBe('ok');
    expect(proofOutcome(() => verifyInclusion(index, size, levels[0] as Buffer, proof.slice(1), root))).toBe('WRONG_PROOF_LENGTH');

    const size1 = index + 1;
    const root1 = await rootHashFromSource(uniform, size1);
    const consistency = await consistencyProof(uniform, size1, size);
    expect(consistency).toHaveLength(consistencyProofLength(size1, size));
    expect(proofOutcome(() => verifyConsistency(size1, size, root1, root, consistency))).toBe('ok');
    if (consistency.length > 0) expect(proofOutcome(() => verifyConsistency(size1, size, root1, root, consistency.slice(1)))).toBe('WRONG_PROOF_LENGTH');
  });
});

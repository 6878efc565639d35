import { emptyRootHash, leafHash } from '../hashing/rfc6962';
import { MemoryNodeSource } from '../tree/memory-node-source';
import { rootHashFromSource, consistencyProof } from './proof-builders';
import type { ProofFailure } from './proof-error';
import { flipBit, proofOutcome as outcome } from '../testing/proof-outcome';
import { fromHex, readVectorFile } from '../testing/vectors';
import type { ConsistencyKat, ConsistencyProbes } from '../testing/vector-types';
import { verifyConsistency } from './verify-consistency';

const kat = readVectorFile<ConsistencyKat>('rfc6962_consistency_kat.json');
const probes = readVectorFile<ConsistencyProbes>('transparency_dev_merkle_consistency_probes.json');

(kat.data ? describe : describe.skip)(kat.title, () => {
  it.each(kat.data?.cases ?? [])('accepts $size1 -> $size2', ({ size1, size2, root1, root2, proof }) => {
    expect(outcome(() => verifyConsistency(size1, size2, fromHex(root1), fromHex(root2), proof.map(fromHex)))).toBe('ok');
  });
});

// Sizes in this file are leaf counts; its `conventions` (and our rule) make every
// size1 = 0 an error, 0 -> 0 included.
(probes.data ? describe : describe.skip)(probes.title, () => {
  it('holds 98 probes', () => expect(probes.data?.probes).toHaveLength(98));

  it.each(probes.data?.probes ?? [])('$file → wantErr $wantErr', ({ size1, size2, root1, root2, proof, wantErr }) => {
    const result = outcome(() => verifyConsistency(size1, size2, fromHex(root1), fromHex(root2), proof.map(fromHex)));
    if (wantErr) expect(result).not.toBe('ok');
    else expect(result).toBe('ok');
  });
});

describe('verifyConsistency', () => {
  const source = new MemoryNodeSource(Array.from({ length: 21 }, (_, i) => leafHash(Buffer.from(`entry ${i}`))));
  let root6: Buffer;
  let root8: Buffer;
  let root21: Buffer;
  let proof: Buffer[];
  beforeAll(async () => {
    [root6, root8, root21] = await Promise.all([6, 8, 21].map((size) => rootHashFromSource(source, size))) as [Buffer, Buffer, Buffer];
    proof = await consistencyProof(source, 6, 21);
  });

  it('accepts the genuine proof (the baseline for the cases below)', () => {
    expect(outcome(() => verifyConsistency(6, 21, root6, root21, proof))).toBe('ok');
  });

  describe('size 0 (decided: always refused, see the README)', () => {
    it.each<[string, () => void]>([
      ['0 -> 0 with the empty root twice and an empty proof', () => verifyConsistency(0, 0, emptyRootHash(), emptyRootHash(), [])],
      ['0 -> 21 with an empty proof', () => verifyConsistency(0, 21, emptyRootHash(), root21, [])],
      ['0 -> 21 with a non-empty proof', () => verifyConsistency(0, 21, emptyRootHash(), root21, [root21])],
    ])('%s → EMPTY_OLD_TREE', (_name, run) => {
      expect(outcome(run)).toBe('EMPTY_OLD_TREE');
    });
  });

  describe('equal sizes', () => {
    it('accept an empty proof and identical roots', () => {
      expect(outcome(() => verifyConsistency(21, 21, root21, Buffer.from(root21), []))).toBe('ok');
    });
    it('reject different roots: a fork', () => {
      expect(outcome(() => verifyConsistency(21, 21, root21, root8, []))).toBe('ROOT_MISMATCH');
    });
    it('reject any proof hash', () => {
      expect(outcome(() => verifyConsistency(21, 21, root21, root21, [root21]))).toBe('WRONG_PROOF_LENGTH');
    });
  });

  it.each<[string, () => void, ProofFailure]>([
    ['size1 > size2', () => verifyConsistency(21, 6, root21, root6, proof), 'SIZES_OUT_OF_ORDER'],
    ['the wrong size1 (same proof length)', () => verifyConsistency(10, 21, root6, root21, proof), 'OLD_ROOT_MISMATCH'],
    ['the wrong size1 (other proof length)', () => verifyConsistency(7, 21, root6, root21, proof), 'WRONG_PROOF_LENGTH'],
    ['the wrong size1 (a power of two, whose root the proof omits)', () => verifyConsistency(8, 21, root8, root21, proof), 'WRONG_PROOF_LENGTH'],
    ['the wrong size2 (shorter path)', () => verifyConsistency(6, 8, root6, root8, proof), 'WRONG_PROOF_LENGTH'],
    ['the wrong size2 (longer path)', () => verifyConsistency(6, 40, root6, root21, proof), 'WRONG_PROOF_LENGTH'],
    ['swapped roots', () => verifyConsistency(6, 21, root21, root6, proof), 'OLD_ROOT_MISMATCH'],
    ['another tree as root1', () => verifyConsistency(6, 21, root8, root21, proof), 'OLD_ROOT_MISMATCH'],
    ['another tree as root2', () => verifyConsistency(6, 21, root6, root8, proof), 'ROOT_MISMATCH'],
    ['an empty proof', () => verifyConsistency(6, 21, root6, root21, []), 'WRONG_PROOF_LENGTH'],
    ['a short proof', () => verifyConsistency(6, 21, root6, root21, proof.slice(0, -1)), 'WRONG_PROOF_LENGTH'],
    ['a long proof', () => verifyConsistency(6, 21, root6, root21, [...proof, root21]), 'WRONG_PROOF_LENGTH'],
    ['root1 prepended to the proof', () => verifyConsistency(6, 21, root6, root21, [root6, ...proof]), 'WRONG_PROOF_LENGTH'],
    ['a 31-byte proof hash', () => verifyConsistency(6, 21, root6, root21, [(proof[0] as Buffer).subarray(1), ...proof.slice(1)]), 'BAD_HASH_LENGTH'],
    ['a 33-byte root2', () => verifyConsistency(6, 21, root6, Buffer.concat([root21, Buffer.alloc(1)]), proof), 'BAD_HASH_LENGTH'],
    ['a negative size1', () => verifyConsistency(-6, 21, root6, root21, proof), 'INVALID_ARGUMENT'],
    ['a NaN size2', () => verifyConsistency(6, NaN, root6, root21, proof), 'INVALID_ARGUMENT'],
    ['a bigint size', () => verifyConsistency(6n as unknown as number, 21, root6, root21, proof), 'INVALID_ARGUMENT'],
    ['base64 strings as roots', () => verifyConsistency(6, 21, root6.toString('base64') as unknown as Buffer, root21, proof), 'INVALID_ARGUMENT'],
    ['an object as the proof', () => verifyConsistency(6, 21, root6, root21, {} as unknown as Buffer[]), 'INVALID_ARGUMENT'],
    ['undefined everywhere', () => (verifyConsistency as (...args: unknown[]) => void)(), 'INVALID_ARGUMENT'],
  ])('rejects %s', (_name, run, code) => {
    expect(outcome(run)).toBe(code);
  });

  it('rejects any single flipped bit in a proof hash or either root', () => {
    for (let bit = 0; bit < 256; bit += 5) {
      proof.forEach((_, i) => {
        const bad = proof.map((hash, j) => (i === j ? flipBit(hash, bit) : hash));
        expect(outcome(() => verifyConsistency(6, 21, root6, root21, bad))).not.toBe('ok');
      });
      expect(outcome(() => verifyConsistency(6, 21, flipBit(root6, bit), root21, proof))).toBe('OLD_ROOT_MISMATCH');
      expect(outcome(() => verifyConsistency(6, 21, root6, flipBit(root21, bit), proof))).toBe('ROOT_MISMATCH');
    }
  });

  it('says what failed in the message', () => {
    expect(() => verifyConsistency(0, 3, root6, root21, [])).toThrow(/^EMPTY_OLD_TREE: size1 is 0/);
    expect(() => verifyConsistency(6, 21, root6, root8, proof)).toThrow(/^ROOT_MISMATCH: .* does not extend the tree of size 6/);
  });
});

import { leafHash } from '../hashing/rfc6962';
import { MemoryNodeSource } from '../tree/memory-node-source';
import { fromHex, readVectorFile } from '../testing/vectors';
import type { InclusionKat, InclusionProbes } from '../testing/vector-types';
import { inclusionProof } from './proof-builders';
import type { ProofFailure } from './proof-error';
import { flipBit as flip, proofOutcome } from '../testing/proof-outcome';
import { verifyInclusion } from './verify-inclusion';

const kat = readVectorFile<InclusionKat>('rfc6962_inclusion_kat.json');
const probes = readVectorFile<InclusionProbes>('transparency_dev_merkle_inclusion_probes.json');

const outcome = proofOutcome;

(kat.data ? describe : describe.skip)(kat.title, () => {
  it.each(kat.data?.cases ?? [])('accepts leaf $leafIndex of $treeSize', ({ leafIndex, treeSize, leafInput, leafHash: hash, root, proof }) => {
    expect(leafHash(fromHex(leafInput)).toString('hex')).toBe(hash);
    expect(outcome(() => verifyInclusion(leafIndex, treeSize, fromHex(hash), proof.map(fromHex), fromHex(root)))).toBe('ok');
  });

  it('rejects leaf 0 of the empty tree (the sources list it as an invalid request)', () => {
    expect(outcome(() => verifyInclusion(0, 0, Buffer.alloc(32), [], Buffer.alloc(32)))).toBe('INDEX_OUT_OF_RANGE');
  });
});

// Indices are 0-based in this file (its `conventions`); 2^64 - 1 ("leafIdx sub 1" of
// index 0) arrives as a float above 2^53 and is refused as INVALID_ARGUMENT.
(probes.data ? describe : describe.skip)(probes.title, () => {
  it('holds 98 probes', () => expect(probes.data?.probes).toHaveLength(98));

  it.each(probes.data?.probes ?? [])('$file → wantErr $wantErr', ({ leafIndex, treeSize, leafHash: hash, root, proof, wantErr }) => {
    const result = outcome(() => verifyInclusion(leafIndex, treeSize, fromHex(hash), proof.map(fromHex), fromHex(root)));
    if (wantErr) expect(result).not.toBe('ok');
    else expect(result).toBe('ok');
  });
});

describe('verifyInclusion rejects', () => {
  const leaves = Array.from({ length: 11 }, (_, i) => leafHash(Buffer.from(`entry ${i}`)));
  const source = new MemoryNodeSource(leaves);
  const root = source.rootHash();
  let proof: Buffer[];
  beforeAll(async () => {
    proof = await inclusionProof(source, 6, 11);
  });
  const leaf = () => leaves[6] as Buffer;

  it('accepts the genuine proof (the baseline for every case below)', () => {
    expect(outcome(() => verifyInclusion(6, 11, leaf(), proof, root))).toBe('ok');
  });

  it.each<[string, () => void, ProofFailure]>([
    ['the wrong index (neighbour)', () => verifyInclusion(7, 11, leaf(), proof, root), 'ROOT_MISMATCH'],
    ['the wrong index (other half)', () => verifyInclusion(2, 11, leaf(), proof, root), 'ROOT_MISMATCH'],
    ['an index past the end', () => verifyInclusion(11, 11, leaf(), proof, root), 'INDEX_OUT_OF_RANGE'],
    ['the wrong size (shorter path)', () => verifyInclusion(6, 7, leaf(), proof, root), 'WRONG_PROOF_LENGTH'],
    ['the wrong size (longer path)', () => verifyInclusion(6, 17, leaf(), proof, root), 'WRONG_PROOF_LENGTH'],
    ['size 0', () => verifyInclusion(0, 0, leaf(), [], root), 'INDEX_OUT_OF_RANGE'],
    ['a short path', () => verifyInclusion(6, 11, leaf(), proof.slice(0, -1), root), 'WRONG_PROOF_LENGTH'],
    ['a long path', () => verifyInclusion(6, 11, leaf(), [...proof, root], root), 'WRONG_PROOF_LENGTH'],
    ['a path with its hashes swapped', () => verifyInclusion(6, 11, leaf(), [proof[1], proof[0], ...proof.slice(2)] as Buffer[], root), 'ROOT_MISMATCH'],
    ['another leaf', () => verifyInclusion(6, 11, leaves[5] as Buffer, proof, root), 'ROOT_MISMATCH'],
    ['the entry instead of its leaf hash', () => verifyInclusion(6, 11, Buffer.from('entry 6'), proof, root), 'BAD_HASH_LENGTH'],
    ['a 33-byte proof hash', () => verifyInclusion(6, 11, leaf(), [Buffer.concat([proof[0] as Buffer, Buffer.alloc(1)]), ...proof.slice(1)], root), 'BAD_HASH_LENGTH'],
    ['a truncated root', () => verifyInclusion(6, 11, leaf(), proof, root.subarray(0, 31)), 'BAD_HASH_LENGTH'],
    ['a negative index', () => verifyInclusion(-1, 11, leaf(), proof, root), 'INVALID_ARGUMENT'],
    ['a fractional size', () => verifyInclusion(6, 11.5, leaf(), proof, root), 'INVALID_ARGUMENT'],
    ['a size past 2^53', () => verifyInclusion(6, 2 ** 64, leaf(), proof, root), 'INVALID_ARGUMENT'],
    ['a string index', () => verifyInclusion('6' as unknown as number, 11, leaf(), proof, root), 'INVALID_ARGUMENT'],
    ['a hex string leaf', () => verifyInclusion(6, 11, leaf().toString('hex') as unknown as Buffer, proof, root), 'INVALID_ARGUMENT'],
    ['a proof that is not an array', () => verifyInclusion(6, 11, leaf(), null as unknown as Buffer[], root), 'INVALID_ARGUMENT'],
    ['a proof holding a string', () => verifyInclusion(6, 11, leaf(), ['x', ...proof.slice(1)] as unknown as Buffer[], root), 'INVALID_ARGUMENT'],
    ['undefined everywhere', () => (verifyInclusion as (...args: unknown[]) => void)(), 'INVALID_ARGUMENT'],
  ])('%s', (_name, run, code) => {
    expect(outcome(run)).toBe(code);
  });

  it('any single flipped bit in any proof hash, the leaf or the root', () => {
    for (let bit = 0; bit < 256; bit += 7) {
      proof.forEach((_, i) => {
        const bad = proof.map((hash, j) => (i === j ? flip(hash, bit) : hash));
        expect(outcome(() => verifyInclusion(6, 11, leaf(), bad, root))).toBe('ROOT_MISMATCH');
      });
      expect(outcome(() => verifyInclusion(6, 11, flip(leaf(), bit), proof, root))).toBe('ROOT_MISMATCH');
      expect(outcome(() => verifyInclusion(6, 11, leaf(), proof, flip(root, bit)))).toBe('ROOT_MISMATCH');
    }
  });

  it('cannot tell sizes whose paths have the same shape apart: the checkpoint binds size to root', () => {
    // Leaf 6 climbs 7, 4-5, 0-3, then the right edge 8-10 in a tree of 11 and 8-11 in a
    // tree of 12 (and alike for any size 9-16): the same steps, so the same proof and
    // root verify for either size. The real root of size 12 is another hash, and a signed
    // checkpoint pairs each root with its size — take (size, root) from a verified one.
    expect(outcome(() => verifyInclusion(6, 12, leaf(), proof, root))).toBe('ok');
  });

  it('says what failed in the message', () => {
    expect(() => verifyInclusion(6, 11, leaf(), proof.slice(1), root)).toThrow(/^WRONG_PROOF_LENGTH: proof has 3 hashes where these sizes call for 4/);
    expect(() => verifyInclusion(6, 11, leaf(), proof, Buffer.alloc(32))).toThrow(/^ROOT_MISMATCH: the proof leads to root [0-9a-f]{64}, not 0{64}/);
  });

  it('does not modify its inputs', () => {
    const before = proof.map((hash) => hash.toString('hex'));
    verifyInclusion(6, 11, leaf(), proof, root);
    expect(proof.map((hash) => hash.toString('hex'))).toEqual(before);
  });
});

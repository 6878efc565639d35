import { leafHash } from '../hashing/rfc6962';
import { MemoryNodeSource } from '../tree/memory-node-source';
import type { NodeId } from '../tree/node-id';
import type { NodeSource } from '../tree/node-source';
import { fromHex, readVectorFile } from '../testing/vectors';
import type { ConsistencyKat, InclusionKat, ReferenceTree } from '../testing/vector-types';
import { consistencyProof, inclusionProof, rootHashFromSource } from './proof-builders';
import { consistencyPlan, inclusionPlan } from './proof-plan';

const tree = readVectorFile<ReferenceTree>('rfc6962_reference_tree.json');
const inclusion = readVectorFile<InclusionKat>('rfc6962_inclusion_kat.json');
const consistency = readVectorFile<ConsistencyKat>('rfc6962_consistency_kat.json');

function referenceSource(size: number): MemoryNodeSource {
  return new MemoryNodeSource((tree.data as ReferenceTree).leafInputs.slice(0, size).map((input) => leafHash(fromHex(input))));
}
const hexes = (hashes: Buffer[]) => hashes.map((hash) => hash.toString('hex'));

(tree.data && inclusion.data ? describe : describe.skip)(`builders reproduce ${inclusion.title}`, () => {
  it.each(inclusion.data?.cases ?? [])('leaf $leafIndex of $treeSize', async ({ leafIndex, treeSize, proof }) => {
    expect(hexes(await inclusionProof(referenceSource(treeSize), leafIndex, treeSize))).toEqual(proof);
  });
});

(tree.data && consistency.data ? describe : describe.skip)(`builders reproduce ${consistency.title}`, () => {
  it.each(consistency.data?.cases ?? [])('$size1 -> $size2', async ({ size1, size2, proof }) => {
    // Built from the bigger tree's store alone: a writer never rebuilds old trees.
    expect(hexes(await consistencyProof(referenceSource(8), size1, size2))).toEqual(proof);
  });
});

(tree.data ? describe : describe.skip)(`rootHashFromSource over ${tree.title}`, () => {
  it.each(Object.keys(tree.data?.rootsBySize ?? {}))('root of size %s from the 8-leaf store', async (size) => {
    expect((await rootHashFromSource(referenceSource(8), Number(size))).toString('hex')).toBe(tree.data?.rootsBySize[size]);
  });
});

describe('proof builders', () => {
  const source = new MemoryNodeSource(Array.from({ length: 13 }, (_, i) => leafHash(Buffer.from([i]))));

  it('ask the source once per proof, for perfect subtrees only', async () => {
    const calls: NodeId[][] = [];
    const counting: NodeSource = { getNodes: (ids) => (calls.push([...ids]), source.getNodes(ids)) };
    await inclusionProof(counting, 5, 13);
    await consistencyProof(counting, 6, 13);
    expect(calls).toHaveLength(2);
    // 13 = 8 + 4 + 1: the right-edge sibling of leaf 5's path is rebuilt from (2, 2) and (0, 12).
    expect(inclusionPlan(5, 13).nodes).toEqual([
      { level: 0, index: 4 },
      { level: 1, index: 3 },
      { level: 2, index: 0 },
      { level: 2, index: 2 },
      { level: 0, index: 12 },
    ]);
  });

  it('give an empty consistency proof between equal sizes, without asking the source', async () => {
    const never: NodeSource = { getNodes: () => Promise.reject(new Error('not expected')) };
    await expect(consistencyProof(never, 5, 5)).resolves.toEqual([]);
    await expect(inclusionProof(never, 0, 1)).resolves.toEqual([]);
  });

  it.each([
    [0, 0],
    [13, 13],
    [-1, 13],
    [1.5, 13],
    [0, 2 ** 53],
  ])('refuse an inclusion proof for index %p of size %p', async (index, size) => {
    await expect(inclusionProof(source, index, size)).rejects.toThrow(/need integers 0 ≤ index < size/);
  });

  it('refuse a consistency proof from size 0 (it would prove nothing)', async () => {
    await expect(consistencyProof(source, 0, 5)).rejects.toThrow(/size1 is 0/);
    expect(() => consistencyPlan(0, 0)).toThrow(RangeError);
  });

  it('refuse size1 > size2', async () => {
    await expect(consistencyProof(source, 6, 5)).rejects.toThrow(/size1 ≤ size2/);
  });

  it('name the node when the source returns something that is not a hash', async () => {
    const corrupt: NodeSource = { getNodes: (ids) => ids.map(() => Buffer.alloc(3)) };
    await expect(inclusionProof(corrupt, 1, 2)).rejects.toThrow(/node \(level 0, index 0\) must be a 32-byte hash; got 3 bytes/);
    const short: NodeSource = { getNodes: () => [] };
    await expect(inclusionProof(short, 1, 2)).rejects.toThrow(/asked for 1 nodes, got an array of length 0/);
  });

  it('pass on the error of a source that lacks a node', async () => {
    await expect(inclusionProof(source, 3, 20)).rejects.toThrow(/no node .* in a tree of 13 leaves/);
  });
});

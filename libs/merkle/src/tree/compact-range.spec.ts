import { randomBytes } from 'node:crypto';
import { emptyRootHash, leafHash } from '../hashing/rfc6962';
import { referenceRoot } from '../testing/rfc6962-reference';
import { fromHex, readVectorFile } from '../testing/vectors';
import type { ReferenceTree } from '../testing/vector-types';
import { CompactRange } from './compact-range';
import type { NodeId } from './node-id';
import { rootHash } from './root-hash';

const tree = readVectorFile<ReferenceTree>('rfc6962_reference_tree.json');

(tree.data ? describe : describe.skip)(tree.title, () => {
  const data = tree.data as ReferenceTree;
  const leaves = () => data.leafInputs.map((input) => leafHash(fromHex(input)));

  it('leaf hashes of the reference inputs', () => {
    expect(leaves().map((hash) => hash.toString('hex'))).toEqual(data.leafHashes);
  });

  it.each(Object.keys(data?.rootsBySize ?? {}))('root of the first %s leaves (rootHash and CompactRange)', (size) => {
    const first = leaves().slice(0, Number(size));
    expect(rootHash(first).toString('hex')).toBe(data.rootsBySize[size]);
    const range = CompactRange.empty();
    range.appendAll(first);
    expect(range.rootHash().toString('hex')).toBe(data.rootsBySize[size]);
  });

  it.each(Object.keys(data?.compactRangesBySize ?? {}).filter((key) => key !== 'description'))('compact range of size %s', (size) => {
    const range = CompactRange.empty();
    range.appendAll(leaves().slice(0, Number(size)));
    expect(range.hashes().map((hash) => hash.toString('hex'))).toEqual(data.compactRangesBySize[size]);
  });

  it('reports every perfect subtree once, with the reference node hashes', () => {
    const seen: Record<string, string> = {};
    const range = CompactRange.empty();
    range.appendAll(leaves(), (id, hash) => {
      const key = `${id.level}/${id.index}`;
      expect(seen[key]).toBeUndefined();
      seen[key] = hash.toString('hex');
    });
    const expected: Record<string, string> = {};
    data.nodeHashes.levels.forEach((level, l) => level.forEach((hash, i) => (expected[`${l}/${i}`] = hash)));
    expect(seen).toEqual(expected);
  });
});

describe('CompactRange', () => {
  const randomLeaves = (n: number) => Array.from({ length: n }, () => leafHash(randomBytes(16)));

  it('an empty range has the empty-tree root and no edge', () => {
    expect(CompactRange.empty().rootHash().equals(emptyRootHash())).toBe(true);
    expect(CompactRange.empty().hashes()).toEqual([]);
    expect(rootHash([]).equals(emptyRootHash())).toBe(true);
  });

  it('matches the RFC recursion for every size up to 130', () => {
    const leaves = randomLeaves(130);
    const range = CompactRange.empty();
    for (let n = 1; n <= leaves.length; n++) {
      range.append(leaves[n - 1] as Buffer);
      expect(range.rootHash().equals(referenceRoot(leaves.slice(0, n)))).toBe(true);
    }
  });

  it('resumes from stored edge hashes exactly where it stopped (batches without old leaves)', () => {
    const leaves = randomLeaves(100);
    const continuous = CompactRange.empty();
    continuous.appendAll(leaves);

    let resumed = CompactRange.empty();
    const store = new Map<string, Buffer>();
    const keep = (id: NodeId, hash: Buffer) => store.set(`${id.level}/${id.index}`, hash);
    for (const [from, to] of [[0, 7], [7, 8], [8, 37], [37, 64], [64, 100]] as const) {
      // Simulate a restart: rebuild the range from the store alone.
      const ids = CompactRange.nodeIds(from);
      resumed = CompactRange.fromHashes(from, ids.map((id) => store.get(`${id.level}/${id.index}`) as Buffer));
      resumed.appendAll(leaves.slice(from, to), keep);
    }
    expect(resumed.size).toBe(100);
    expect(resumed.rootHash().equals(continuous.rootHash())).toBe(true);
    expect(store.size).toBe(2 * 100 - 3); // every perfect subtree of a 100-leaf tree: 2n - popcount(n)
  });

  it('clone is independent', () => {
    const range = CompactRange.empty();
    range.appendAll(randomLeaves(5));
    const copy = range.clone();
    copy.append(leafHash(Buffer.from('x')));
    expect(range.size).toBe(5);
    expect(copy.size).toBe(6);
  });

  it('refuses a stored edge of the wrong shape, naming the nodes it needs', () => {
    expect(() => CompactRange.fromHashes(3, [Buffer.alloc(32)])).toThrow(/size 3 needs 2 subtree hashes \(\(level 1, index 0\), \(level 0, index 2\)\)/);
    expect(() => CompactRange.fromHashes(1, [Buffer.alloc(31)])).toThrow(/hash 0 for node \(level 0, index 0\) must be 32 bytes; received 31 bytes/);
    expect(() => CompactRange.fromHashes(-1, [])).toThrow(RangeError);
  });

  it('refuses a leaf hash that is not 32 bytes (an entry passed instead of its leaf hash)', () => {
    expect(() => CompactRange.empty().append(Buffer.from('entry'))).toThrow(/leaf hash must be 32 bytes; received 5 bytes/);
  });
});

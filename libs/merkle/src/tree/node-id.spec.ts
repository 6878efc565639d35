import { nodeCoverage, nodeId, perfectSubtrees } from './node-id';

describe('perfectSubtrees', () => {
  it('covers [0, n) with one subtree per set bit of n, largest first', () => {
    expect(perfectSubtrees(0, 0)).toEqual([]);
    expect(perfectSubtrees(0, 7)).toEqual([nodeId(2, 0), nodeId(1, 2), nodeId(0, 6)]);
    expect(perfectSubtrees(0, 8)).toEqual([nodeId(3, 0)]);
  });

  it('covers an unaligned range with the fewest aligned subtrees', () => {
    // 6 → 2 leaves (6, 7), 8 → 8 leaves, 16 → 4, 20 → 1
    expect(perfectSubtrees(6, 21)).toEqual([nodeId(1, 3), nodeId(3, 1), nodeId(2, 4), nodeId(0, 20)]);
  });

  it('covers every range exactly, for all ranges up to 40 leaves', () => {
    for (let begin = 0; begin <= 40; begin++) {
      for (let end = begin; end <= 40; end++) {
        let at = begin;
        for (const id of perfectSubtrees(begin, end)) {
          const { begin: from, end: to } = nodeCoverage(id);
          expect(from).toBe(at);
          at = to;
        }
        expect(at).toBe(end);
      }
    }
  });

  it('works past 2^32', () => {
    const ids = perfectSubtrees(0, 2 ** 40 + 3);
    expect(ids).toEqual([nodeId(40, 0), nodeId(1, 2 ** 39), nodeId(0, 2 ** 40 + 2)]);
  });

  it('refuses begin > end and non-integers', () => {
    expect(() => perfectSubtrees(3, 2)).toThrow(RangeError);
    expect(() => perfectSubtrees(0, 1.5)).toThrow(RangeError);
    expect(() => nodeId(53, 1)).toThrow(RangeError);
  });
});

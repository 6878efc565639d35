import { bitLength, isTreeInteger, largestPowerOfTwoAtMost, lowestSetBit } from './tree-math';

/**
 * A perfect subtree: the 2^level leaves [index·2^level, (index+1)·2^level). Level 0 is a
 * leaf. These are the only nodes whose hash never changes as the log grows, so they are
 * the ones a store keeps.
 */
export interface NodeId {
  readonly level: number;
  readonly index: number;
}

export function nodeId(level: number, index: number): NodeId {
  if (!isTreeInteger(level) || level > 52 || !isTreeInteger(index) || !isTreeInteger(index * 2 ** level)) {
    throw new RangeError(`nodeId: level must be an integer 0-52 and index a non-negative integer with index·2^level < 2^53; received level ${level}, index ${index}`);
  }
  return { level, index };
}

/** First leaf covered by the node and the leaf after its last one. */
export function nodeCoverage(id: NodeId): { begin: number; end: number } {
  const width = 2 ** id.level;
  return { begin: id.index * width, end: (id.index + 1) * width };
}

/**
 * The fewest perfect subtrees covering leaves [begin, end), left to right. For [0, n)
 * these are the compact range of a tree of size n (one per set bit of n, largest first).
 */
export function perfectSubtrees(begin: number, end: number): NodeId[] {
  if (!isTreeInteger(begin) || !isTreeInteger(end) || begin > end) {
    throw new RangeError(`perfectSubtrees: need integers 0 ≤ begin ≤ end < 2^53; received begin ${begin}, end ${end}`);
  }
  const ids: NodeId[] = [];
  for (let at = begin; at < end; ) {
    const fits = largestPowerOfTwoAtMost(end - at);
    const width = at === 0 ? fits : Math.min(fits, lowestSetBit(at));
    ids.push({ level: bitLength(width) - 1, index: at / width });
    at += width;
  }
  return ids;
}

export const formatNodeId = (id: NodeId): string => `(level ${id.level}, index ${id.index})`;

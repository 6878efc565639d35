import { nodeHash, type NodeId } from '@vigil/merkle';

/**
 * Which perfect-subtree hashes are stored: levels that are multiples of NODE_STRIDE (level 0
 * being the entries' own leaf hashes, levels 4, 8, 12, ... in audit.nodes). Any other node is
 * recomputed from the at most 2^(NODE_STRIDE-1) = 8 stored nodes below it. That is one node row
 * per 16 entries instead of one per entry — appends cost little more than the entries — while a
 * proof still comes from one query of at most ~8 × 2·log2(n) small rows.
 */
export const NODE_STRIDE = 4;

export const isStoredLevel = (level: number): boolean => level % NODE_STRIDE === 0;

/** The stored nodes whose hashes give `id`: itself when stored, else its descendants at the stored level below. */
export function storedCover(id: NodeId): NodeId[] {
  const below = id.level % NODE_STRIDE;
  if (below === 0) return [id];
  const span = 2 ** below;
  return Array.from({ length: span }, (_, j) => ({ level: id.level - below, index: id.index * span + j }));
}

/** The hash of a perfect subtree from its 2^k stored descendants, left to right. */
export function combine(hashes: readonly Buffer[]): Buffer {
  let level = [...hashes];
  while (level.length > 1) {
    const up: Buffer[] = [];
    for (let i = 0; i < level.length; i += 2) up.push(nodeHash(level[i]!, level[i + 1]!));
    level = up;
  }
  return level[0]!;
}

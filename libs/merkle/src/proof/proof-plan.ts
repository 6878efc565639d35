import { describeKind, HASH_SIZE, nodeHash } from '../hashing/rfc6962';
import { formatNodeId, perfectSubtrees, type NodeId } from '../tree/node-id';
import { isTreeInteger, largestPowerOfTwoBelow } from '../tree/tree-math';

/**
 * How to build one proof from a node store without reading leaves: fetch `nodes` (one
 * batch), then `assemble` their hashes into the proof.
 *
 * Each proof element is the MTH of a leaf range. Ranges inside the tree are perfect
 * subtrees (one stored node); the range along the right edge of a tree whose size is
 * not a power of two is not, and is rebuilt from the perfect subtrees that cover it —
 * the "ephemeral node" of transparency-dev/merkle.
 */
export interface ProofPlan {
  readonly nodes: readonly NodeId[];
  assemble(hashes: readonly Uint8Array[]): Buffer[];
}

type LeafRange = readonly [begin: number, end: number];

/** PATH(m, D[n]) of RFC 6962 §2.1.1, as leaf ranges, nearest the leaf first. */
export function inclusionPlan(index: number, size: number): ProofPlan {
  if (!isTreeInteger(size) || !isTreeInteger(index) || index >= size) {
    throw new RangeError(`inclusion proof: need integers 0 ≤ index < size < 2^53; received index ${describeKind(index)}, size ${describeKind(size)}`);
  }
  const ranges: LeafRange[] = [];
  let lo = 0;
  let hi = size;
  while (hi - lo > 1) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (index < lo + k) {
      ranges.push([lo + k, hi]);
      hi = lo + k;
    } else {
      ranges.push([lo, lo + k]);
      lo += k;
    }
  }
  return planOf(ranges.reverse());
}

/**
 * PROOF(m, D[n]) = SUBPROOF(m, D[n], true) of RFC 6962 §2.1.2, as leaf ranges, lowest
 * first. size1 = 0 is refused: see the README ("Consistency from size 0").
 */
export function consistencyPlan(size1: number, size2: number): ProofPlan {
  if (!isTreeInteger(size1) || !isTreeInteger(size2) || size1 > size2) {
    throw new RangeError(`consistency proof: need integers size1 ≤ size2 < 2^53; received size1 ${describeKind(size1)}, size2 ${describeKind(size2)}`);
  }
  if (size1 === 0) {
    throw new RangeError('consistency proof: size1 is 0 — every tree extends the empty tree, so there is nothing to prove; start from the first signed checkpoint instead');
  }
  const ranges: LeafRange[] = [];
  let lo = 0;
  let hi = size2;
  let wholeTree = true; // the b flag of SUBPROOF: still on the path of the original tree's root
  while (size1 !== hi) {
    const k = largestPowerOfTwoBelow(hi - lo);
    if (size1 <= lo + k) {
      ranges.push([lo + k, hi]);
      hi = lo + k;
    } else {
      ranges.push([lo, lo + k]);
      lo += k;
      wholeTree = false;
    }
  }
  if (!wholeTree) ranges.push([lo, hi]);
  return planOf(ranges.reverse());
}

/** MTH(D[n]) from the node store: the compact range of [0, size) folded. */
export function rootPlan(size: number): ProofPlan {
  if (!isTreeInteger(size)) throw new RangeError(`root hash: size must be an integer 0 ≤ size < 2^53; received ${describeKind(size)}`);
  return planOf(size === 0 ? [] : [[0, size]]);
}

function planOf(ranges: readonly LeafRange[]): ProofPlan {
  const groups = ranges.map(([begin, end]) => perfectSubtrees(begin, end));
  const nodes = groups.flat();
  return {
    nodes,
    assemble(hashes) {
      if (!Array.isArray(hashes) || hashes.length !== nodes.length) {
        throw new Error(`node source: asked for ${nodes.length} nodes, got ${describeKind(hashes)}${Array.isArray(hashes) ? ` of length ${hashes.length}` : ''}`);
      }
      hashes.forEach((hash, i) => {
        if (!(hash instanceof Uint8Array) || hash.length !== HASH_SIZE) {
          throw new Error(`node source: node ${formatNodeId(nodes[i] as NodeId)} must be a ${HASH_SIZE}-byte hash; got ${describeKind(hash)} — the node store is corrupt or the wrong one`);
        }
      });
      let next = 0;
      return groups.map((group) => {
        // A range along the right edge: its subtrees shrink left to right, and the
        // RFC 6962 split puts the largest on the left, so fold from the right.
        const parts = hashes.slice(next, (next += group.length));
        let hash: Buffer = Buffer.from(parts[parts.length - 1] as Uint8Array);
        for (let i = parts.length - 2; i >= 0; i--) hash = nodeHash(parts[i] as Uint8Array, hash);
        return hash;
      });
    },
  };
}

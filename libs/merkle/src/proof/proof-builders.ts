import type { NodeSource } from '../tree/node-source';
import { consistencyPlan, inclusionPlan, rootPlan, type ProofPlan } from './proof-plan';
import { emptyRootHash } from '../hashing/rfc6962';

/**
 * The inclusion proof (audit path, RFC 9162 §2.1.3.1) of leaf `index` in the tree of
 * `size` leaves, sibling nearest the leaf first. One getNodes call on the source.
 * Throws RangeError unless 0 ≤ index < size.
 */
export async function inclusionProof(source: NodeSource, index: number, size: number): Promise<Buffer[]> {
  return build(source, inclusionPlan(index, size));
}

/**
 * The consistency proof (RFC 9162 §2.1.4.1) between the trees of size1 and size2
 * leaves. Empty when size1 = size2. Throws RangeError unless 0 < size1 ≤ size2 (a proof
 * from the empty tree proves nothing; see the README).
 */
export async function consistencyProof(source: NodeSource, size1: number, size2: number): Promise<Buffer[]> {
  return build(source, consistencyPlan(size1, size2));
}

/** The root of the tree of `size` leaves (any size up to the source's), from stored nodes. */
export async function rootHashFromSource(source: NodeSource, size: number): Promise<Buffer> {
  const [root] = await build(source, rootPlan(size));
  return root ?? emptyRootHash();
}

async function build(source: NodeSource, plan: ProofPlan): Promise<Buffer[]> {
  if (plan.nodes.length === 0) return [];
  return plan.assemble(await source.getNodes(plan.nodes));
}

import { CompactRange } from './compact-range';
import { formatNodeId, type NodeId } from './node-id';
import type { NodeSource } from './node-source';

/**
 * Every perfect-subtree hash of a log, in memory (about 2n hashes of 32 bytes plus
 * object overhead — tests and small trees only; the audit-writer stores the same nodes
 * in Postgres). Appends go through a CompactRange, so it also knows its current root.
 */
export class MemoryNodeSource implements NodeSource {
  private readonly levels: Buffer[][] = [];
  private readonly range = CompactRange.empty();

  constructor(leafHashes: Iterable<Uint8Array> = []) {
    this.appendAll(leafHashes);
  }

  get size(): number {
    return this.range.size;
  }

  append(leafHash: Uint8Array): void {
    this.range.append(leafHash, (id, hash) => {
      const level = (this.levels[id.level] ??= []);
      level[id.index] = hash;
    });
  }

  appendAll(leafHashes: Iterable<Uint8Array>): void {
    for (const hash of leafHashes) this.append(hash);
  }

  rootHash(): Buffer {
    return this.range.rootHash();
  }

  getNodes(ids: readonly NodeId[]): Buffer[] {
    return ids.map((id) => {
      const hash = this.levels[id.level]?.[id.index];
      if (!hash) throw new RangeError(`MemoryNodeSource: no node ${formatNodeId(id)} in a tree of ${this.size} leaves`);
      return hash;
    });
  }
}

import { CompactRange, leafHash, NoteError, verifyCheckpoint, type NodeId, type NoteVerifier } from '@vigil/merkle';
import { KEY_HANDOVER_PREFIX } from '../checkpoint/checkpoint-signing';
import { decodeLeaf, LeafDecodeError, type LeafContent } from '../log/leaf-encoding';
import { isStoredLevel } from '../log/node-strata';

/** The first thing wrong with a log: where (seq or checkpoint size) and what. */
export class VerificationFailure extends Error {
  constructor(
    readonly logId: string,
    readonly where: { seq?: number; treeSize?: number; node?: NodeId },
    readonly problem: string,
  ) {
    super(`log ${logId}, ${describeWhere(where)}: ${problem}`);
    this.name = 'VerificationFailure';
  }
}

function describeWhere({ seq, treeSize, node }: VerificationFailure['where']): string {
  if (seq !== undefined) return `entry ${seq}`;
  if (treeSize !== undefined) return `checkpoint at size ${treeSize}`;
  if (node) return `stored node (level ${node.level}, index ${node.index})`;
  return 'log';
}

export interface EntryRecord {
  seq: number;
  entry: Buffer;
  /** The stored leaf hash, when the source keeps one; it must match the entry. */
  leafHash?: Buffer;
}

export interface CheckpointRecord {
  treeSize: number;
  /** The stored root beside the note, when the source keeps one; it must match the note. */
  rootHash?: Buffer;
  note: string;
}

/** The keys a verification starts from: one verifier key (object or `name+id+base64` string) or several. */
export type TrustedKeys = NoteVerifier | string | readonly (NoteVerifier | string)[];

export interface StoredNode {
  level: number;
  index: number;
  hash: Buffer;
}

/**
 * Verifies one log trusting nothing but the verifier key: every leaf is decoded and must be
 * the canonical encoding of this log's entry at its position; every root is recomputed from
 * the leaves; every checkpoint must carry a valid signature by the key for this log's origin
 * and sign exactly the recomputed root of its size. Successive checkpoints are thereby
 * consistent: both sign prefixes of the one verified leaf sequence (a fork shows up as a root
 * mismatch at the first checkpoint past it). Stored node hashes, when given, must be the ones
 * the leaves imply, since proofs are served from them.
 *
 * Key rotation: a checkpoint signed by a trusted key that carries a handover line
 * (`vigil-key-handover <verifier key>`) must also carry a valid signature by the key it names,
 * which is trusted from then on (`learnedKeys`); the writer adds both when its key changes.
 *
 * Feed it in order: `checkpoint()` any time before the entry that completes its size,
 * `entry()` in seq order, then `finish()`. The first problem throws a VerificationFailure.
 */
export class LogVerifier {
  private range: CompactRange;
  private readonly pending: CheckpointRecord[] = [];
  private lastCheckpointSize = -1;
  private checkpointsVerified = 0;
  /** Root (base64) signed at each verified checkpoint size: what the global log is checked against. */
  readonly signedRoots = new Map<number, string>();
  /** An extra rule for each decoded leaf (the global log's cross-check); returns a problem or nothing. */
  checkLeaf?: (leaf: LeafContent) => string | undefined;
  /** Nodes above the leaves the last append completed, to compare with the stored ones. */
  readonly completed: StoredNode[] = [];

  private readonly trusted: (NoteVerifier | string)[];
  /** Verifier keys learned from handover lines, in order: a resumed verification starts with them. */
  readonly learnedKeys: string[] = [];

  constructor(
    readonly logId: string,
    private readonly origin: string,
    trusted: TrustedKeys,
    start: { size: number; hashes: Buffer[]; learnedKeys?: readonly string[] } = { size: 0, hashes: [] },
  ) {
    this.trusted = Array.isArray(trusted) ? [...(trusted as readonly (NoteVerifier | string)[])] : [trusted as NoteVerifier | string];
    for (const key of start.learnedKeys ?? []) this.learn(key);
    this.range = CompactRange.fromHashes(start.size, start.hashes);
  }

  get size(): number {
    return this.range.size;
  }

  get checkpoints(): number {
    return this.checkpointsVerified;
  }

  /** Where this verification stands: the verified size and its compact range, to resume from later. */
  state(): { size: number; hashes: Buffer[]; learnedKeys: string[] } {
    return { size: this.range.size, hashes: this.range.hashes(), learnedKeys: [...this.learnedKeys] };
  }

  checkpoint(record: CheckpointRecord): void {
    if (record.treeSize <= this.lastCheckpointSize) {
      throw this.fail({ treeSize: record.treeSize }, `checkpoints out of order or repeated (after one at size ${this.lastCheckpointSize})`);
    }
    this.lastCheckpointSize = record.treeSize;
    if (record.treeSize < this.range.size) {
      throw this.fail({ treeSize: record.treeSize }, `comes after entry ${this.range.size - 1}; a checkpoint precedes the entries beyond its size`);
    }
    this.pending.push(record);
    this.settle();
  }

  entry(record: EntryRecord): void {
    const expected = this.range.size;
    if (record.seq < expected) throw this.fail({ seq: record.seq }, `stored twice (seq ${record.seq} appears again after entry ${expected - 1})`);
    if (record.seq > expected) throw this.fail({ seq: expected }, `missing: the next stored entry is ${record.seq}`);
    let leaf;
    try {
      leaf = decodeLeaf(record.entry);
    } catch (error) {
      if (error instanceof LeafDecodeError) throw this.fail({ seq: expected }, `${error.message} (the entry bytes were changed)`);
      throw error;
    }
    if (leaf.log !== this.logId || leaf.seq !== expected) {
      throw this.fail({ seq: expected }, `holds the leaf of log ${leaf.log} entry ${leaf.seq} (entries moved, swapped or copied)`);
    }
    const extra = this.checkLeaf?.(leaf);
    if (extra) throw this.fail({ seq: expected }, extra);
    const hash = leafHash(record.entry);
    if (record.leafHash && !hash.equals(record.leafHash)) {
      throw this.fail({ seq: expected }, 'stored leaf_hash is not SHA-256(0x00 ‖ entry): the entry or its hash was changed');
    }
    this.completed.length = 0;
    this.range.append(hash, (id, nodeHash) => void (id.level > 0 && isStoredLevel(id.level) && this.completed.push({ level: id.level, index: id.index, hash: nodeHash })));
    this.settle();
  }

  /** Compares the nodes the last entry completed with the stored ones, in the same order. */
  checkNodes(stored: readonly (StoredNode | undefined)[]): void {
    this.completed.forEach((want, i) => {
      const got = stored[i];
      const node = { level: want.level, index: want.index };
      if (!got || got.level !== want.level || got.index !== want.index) throw this.fail({ node }, 'missing from the node table (proofs served for this range would fail)');
      if (!got.hash.equals(want.hash)) throw this.fail({ node }, 'differs from the hash its leaves give (proofs served from it would be wrong)');
    });
  }

  finish(): { logId: string; size: number; checkpoints: number } {
    const next = this.pending[0];
    if (next) throw this.fail({ treeSize: next.treeSize }, `signs ${next.treeSize} entries but the log has only ${this.range.size}: entries ${this.range.size}..${next.treeSize - 1} are missing`);
    if (this.range.size > Math.max(this.lastCheckpointSize, 0)) {
      const from = Math.max(this.lastCheckpointSize, 0);
      throw this.fail({ seq: from }, `entries ${from}..${this.range.size - 1} are not covered by any signed checkpoint (appended outside the writer)`);
    }
    return { logId: this.logId, size: this.range.size, checkpoints: this.checkpointsVerified };
  }

  private settle(): void {
    while (this.pending[0] && this.pending[0].treeSize === this.range.size) this.verifyCheckpointNow(this.pending.shift()!);
  }

  private verifyCheckpointNow(record: CheckpointRecord): void {
    const where = { treeSize: record.treeSize };
    let signed;
    try {
      signed = verifyCheckpoint(record.note, { trusted: this.trusted, origin: this.origin });
    } catch (error) {
      if (error instanceof NoteError) {
        const hint = error.code === 'NO_TRUSTED_SIGNATURE' ? ' (if the log\'s signing key was rotated with a restart, pass its new verifier key too)' : '';
        throw this.fail(where, `signature check failed (${error.code}): ${error.message}${hint}`);
      }
      throw error;
    }
    for (const line of signed.checkpoint.extensions) {
      if (!line.startsWith(KEY_HANDOVER_PREFIX)) continue;
      const next = line.slice(KEY_HANDOVER_PREFIX.length);
      try {
        // The key it hands over to must have signed this very note too.
        verifyCheckpoint(record.note, { trusted: [next], origin: this.origin });
      } catch (error) {
        if (error instanceof NoteError) throw this.fail(where, `hands the log over to key ${next.split('+').slice(0, 2).join('+')}, but that key's signature on it does not check (${error.code}): ${error.message}`);
        throw error;
      }
      this.learn(next);
    }
    const { size, rootHash } = signed.checkpoint;
    if (size !== record.treeSize) throw this.fail(where, `its note signs size ${size}, not ${record.treeSize}`);
    if (record.rootHash && !record.rootHash.equals(rootHash)) throw this.fail(where, 'stored root_hash differs from the root its note signs');
    const recomputed = this.range.rootHash();
    if (!recomputed.equals(rootHash)) {
      const after = this.checkpointsVerified ? ` (after the previous checkpoint)` : '';
      throw this.fail(where, `signs root ${Buffer.from(rootHash).toString('base64')} but entries 0..${size - 1} hash to ${recomputed.toString('base64')}: an entry before ${size}${after} was changed, or the log forked`);
    }
    this.signedRoots.set(size, recomputed.toString('base64'));
    this.checkpointsVerified++;
  }

  private learn(verifierKey: string): void {
    if (this.learnedKeys.includes(verifierKey)) return;
    this.learnedKeys.push(verifierKey);
    this.trusted.push(verifierKey);
  }

  private fail(where: VerificationFailure['where'], problem: string): VerificationFailure {
    return new VerificationFailure(this.logId, where, problem);
  }
}

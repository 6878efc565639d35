import { consistencyProof, inclusionPlan, rootPlan } from '@vigil/merkle';
import type { Pool } from 'pg';
import { loadNodes, postgresNodeSource } from './postgres-node-source';

export interface LogSummary {
  logId: string;
  origin: string;
  treeSize: number;
  createdAt: string;
}

export interface StoredCheckpoint {
  logId: string;
  treeSize: number;
  rootHash: string;
  note: string;
  createdAt: string;
}

export interface StoredEntry {
  logId: string;
  seq: number;
  leafHash: string;
  /** The leaf bytes, base64 (0x01 ‖ canonical JSON; README "Leaf encoding"). */
  entry: string;
  arrivedAt: string;
  sourceOffset: string;
  eventId: string;
}

/** What the caller asked for does not exist (404) or cannot be (400). */
export class LogQueryError extends Error {
  constructor(
    readonly status: 400 | 404,
    message: string,
  ) {
    super(message);
    this.name = 'LogQueryError';
  }
}

/** Read side of the logs: what the HTTP API serves. Proofs come from stored node hashes, one query each. */
export class LogReader {
  constructor(private readonly pool: Pool) {}

  async logs(): Promise<LogSummary[]> {
    const { rows } = await this.pool.query<{ log_id: string; origin: string; tree_size: string; created_at: Date }>(
      'select log_id, origin, tree_size, created_at from audit.logs order by log_id',
    );
    return rows.map((row) => ({ logId: row.log_id, origin: row.origin, treeSize: Number(row.tree_size), createdAt: row.created_at.toISOString() }));
  }

  async log(logId: string): Promise<LogSummary> {
    const found = (await this.logs()).find((log) => log.logId === logId);
    if (!found) throw new LogQueryError(404, `no audit log "${logId}"; GET /v1/logs lists them`);
    return found;
  }

  async latestCheckpoint(logId: string): Promise<StoredCheckpoint> {
    const { rows } = await this.pool.query(
      'select log_id, tree_size, root_hash, note, created_at from audit.checkpoints where log_id = $1 order by tree_size desc limit 1',
      [logId],
    );
    if (!rows[0]) throw new LogQueryError(404, `audit log "${logId}" has no checkpoint yet`);
    return toCheckpoint(rows[0]);
  }

  async checkpoints(logId: string, from: number, to: number): Promise<StoredCheckpoint[]> {
    const { rows } = await this.pool.query(
      'select log_id, tree_size, root_hash, note, created_at from audit.checkpoints where log_id = $1 and tree_size between $2 and $3 order by tree_size',
      [logId, from, to],
    );
    return rows.map(toCheckpoint);
  }

  async entry(logId: string, seq: number): Promise<StoredEntry> {
    const { rows } = await this.pool.query(
      'select log_id, seq, leaf_hash, entry, arrived_at, source_offset, event_id from audit.entries where log_id = $1 and seq = $2 limit 1',
      [logId, seq],
    );
    if (!rows[0]) throw new LogQueryError(404, `audit log "${logId}" has no entry ${seq}`);
    return toEntry(rows[0]);
  }

  /** Entries [from, to) in order, a page at a time. */
  async entries(logId: string, from: number, to: number): Promise<StoredEntry[]> {
    const { rows } = await this.pool.query(
      'select log_id, seq, leaf_hash, entry, arrived_at, source_offset, event_id from audit.entries where log_id = $1 and seq >= $2 and seq < $3 order by seq',
      [logId, from, to],
    );
    return rows.map(toEntry);
  }

  async seqOfLeafHash(logId: string, leafHash: Buffer): Promise<number> {
    const { rows } = await this.pool.query<{ seq: string }>('select seq from audit.entries where log_id = $1 and leaf_hash = $2 order by seq limit 1', [logId, leafHash]);
    if (!rows[0]) throw new LogQueryError(404, `audit log "${logId}" has no entry with that leaf hash`);
    return Number(rows[0].seq);
  }

  /** The tree size to prove against: the one asked for (at most the log's size), else the latest. */
  async treeSize(logId: string, asked: number | undefined): Promise<number> {
    const { treeSize } = await this.log(logId);
    if (asked === undefined) return treeSize;
    if (asked > treeSize) throw new LogQueryError(400, `treeSize ${asked} is beyond log "${logId}"'s size ${treeSize}`);
    return asked;
  }

  async inclusion(logId: string, index: number, treeSize: number): Promise<{ index: number; treeSize: number; rootHash: string; proof: string[] }> {
    if (index >= treeSize) throw new LogQueryError(400, `index ${index} must be below treeSize ${treeSize}`);
    // The audit path and the root of that size from one query of stored nodes.
    const proofPlan = inclusionPlan(index, treeSize);
    const root = rootPlan(treeSize);
    const hashes = await loadNodes(this.pool, logId, [...proofPlan.nodes, ...root.nodes]);
    const proof = proofPlan.assemble(hashes.slice(0, proofPlan.nodes.length));
    const rootHash = root.assemble(hashes.slice(proofPlan.nodes.length))[0]!;
    return { index, treeSize, rootHash: b64(rootHash), proof: proof.map(b64) };
  }

  async consistency(logId: string, from: number, to: number): Promise<{ from: number; to: number; proof: string[] }> {
    if (from < 1 || from > to) throw new LogQueryError(400, `need 1 <= from <= to (got from=${from}, to=${to}); a proof from size 0 proves nothing (libs/merkle README)`);
    const proof = await consistencyProof(postgresNodeSource(this.pool, logId), from, to);
    return { from, to, proof: proof.map(b64) };
  }
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

function toCheckpoint(row: { log_id: string; tree_size: string; root_hash: Buffer; note: string; created_at: Date }): StoredCheckpoint {
  return { logId: row.log_id, treeSize: Number(row.tree_size), rootHash: b64(row.root_hash), note: row.note, createdAt: row.created_at.toISOString() };
}

function toEntry(row: { log_id: string; seq: string; leaf_hash: Buffer; entry: Buffer; arrived_at: Date; source_offset: string; event_id: string }): StoredEntry {
  return {
    logId: row.log_id,
    seq: Number(row.seq),
    leafHash: b64(row.leaf_hash),
    entry: b64(row.entry),
    arrivedAt: row.arrived_at.toISOString(),
    sourceOffset: String(row.source_offset),
    eventId: row.event_id,
  };
}

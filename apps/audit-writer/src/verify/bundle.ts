import { CompactRange } from '@vigil/merkle';
import type { Pool } from 'pg';
import { LogQueryError, LogReader } from '../log/log-reader';
import { loadNodes } from '../log/postgres-node-source';

/** First line of each log's part of a bundle (README.md "Export bundles"). */
export interface BundleHeader {
  type: 'log';
  format: typeof BUNDLE_FORMAT;
  logId: string;
  origin: string;
  /** The log's public key, for information: a verifier trusts only the key it is given. */
  verifierKey?: string;
  /** Entries [from, to) follow; both are checkpointed sizes. */
  from: number;
  to: number;
  /** The compact range at `from` (base64 hashes), authenticated by the checkpoint of size `from`. */
  start: { size: number; hashes: string[] };
}
export interface BundleCheckpoint {
  type: 'checkpoint';
  treeSize: number;
  rootHash: string;
  note: string;
  createdAt: string;
}
export interface BundleEntry {
  type: 'entry';
  seq: number;
  leafHash: string;
  entry: string;
}
export type BundleLine = BundleHeader | BundleCheckpoint | BundleEntry;

export const BUNDLE_FORMAT = 'vigil.audit.bundle/1';
const PAGE = 5000;

/**
 * Writes entries of one log as a bundle, JSON lines: the header, the checkpoints of sizes
 * from..to, then the entries. `from` is moved down and `to` down to checkpointed sizes, so
 * every entry in the bundle is covered by a signed checkpoint and the start is signed too.
 */
export async function writeBundle(
  pool: Pool,
  request: { logId: string; from?: number; to?: number; verifierKey?: string },
  write: (line: string) => void | Promise<void>,
): Promise<{ from: number; to: number }> {
  const reader = new LogReader(pool);
  const log = await reader.log(request.logId);
  const { rows } = await pool.query<{ tree_size: string }>('select tree_size from audit.checkpoints where log_id = $1 order by tree_size', [log.logId]);
  const sizes = [0, ...rows.map((row) => Number(row.tree_size))];
  const floor = (n: number) => sizes.filter((size) => size <= n).pop() ?? 0;
  const from = floor(request.from ?? 0);
  const to = floor(request.to ?? log.treeSize);
  if (to < from) throw new LogQueryError(400, `to (${request.to}) is before from (${request.from})`);
  const start = await loadNodes(pool, log.logId, CompactRange.nodeIds(from));
  const header: BundleHeader = {
    type: 'log',
    format: BUNDLE_FORMAT,
    logId: log.logId,
    origin: log.origin,
    ...(request.verifierKey ? { verifierKey: request.verifierKey } : {}),
    from,
    to,
    start: { size: from, hashes: start.map((hash) => hash.toString('base64')) },
  };
  await write(`${JSON.stringify(header)}\n`);
  for (const checkpoint of await reader.checkpoints(log.logId, Math.max(from, 1), to)) {
    const line: BundleCheckpoint = { type: 'checkpoint', treeSize: checkpoint.treeSize, rootHash: checkpoint.rootHash, note: checkpoint.note, createdAt: checkpoint.createdAt };
    await write(`${JSON.stringify(line)}\n`);
  }
  for (let seq = from; seq < to; seq += PAGE) {
    const lines = (await reader.entries(log.logId, seq, Math.min(seq + PAGE, to))).map((entry) => {
      const line: BundleEntry = { type: 'entry', seq: entry.seq, leafHash: entry.leafHash, entry: entry.entry };
      return JSON.stringify(line);
    });
    if (lines.length) await write(`${lines.join('\n')}\n`);
  }
  return { from, to };
}

import { CompactRange, leafHash } from '@vigil/merkle';
import type { Pool } from 'pg';
import { canonicalJson } from '../log/canonical-json';
import { encodeLeaf } from '../log/leaf-encoding';
import type { CheckpointSigning } from './checkpoint-signing';
import type { CommittedCheckpoint } from '../log/log-appender';
import { originOf } from '../log/log-id';
import { isStoredLevel } from '../log/node-strata';
import { loadNodes } from '../log/postgres-node-source';

export const GLOBAL_LOG_ID = 'global';

/** What one leaf of the global log records (its `event`): every partition log's latest signed head. */
export interface GlobalHeads {
  type: 'partition-heads';
  logs: Array<{ logId: string; treeSize: number; rootHash: string }>;
}

/**
 * Appends a leaf to the global log listing the latest checkpoint of every partition log, and
 * signs the global log's new head — when anything changed since its last leaf. One transaction
 * under the global log's row lock, so replicas doing the same at once append one after the other.
 */
export class GlobalCheckpointer {
  constructor(
    private readonly options: { pool: Pool; signing: CheckpointSigning; originPrefix: string; role: string; now?: () => Date },
  ) {}

  async run(): Promise<CommittedCheckpoint | undefined> {
    const { pool, signing, originPrefix, role } = this.options;
    const client = await pool.connect();
    // See LogAppender: a lost connection must not end the process, and its client is destroyed.
    let lost: Error | undefined;
    const onError = (error: Error) => (lost = error);
    client.on('error', onError);
    try {
      await client.query('begin');
      if (role) await client.query(`set local role ${role}`);
      const origin = originOf(originPrefix, GLOBAL_LOG_ID);
      await client.query('insert into audit.logs (log_id, origin) values ($1, $2) on conflict (log_id) do nothing', [GLOBAL_LOG_ID, origin]);
      const log = await client.query<{ tree_size: string; origin: string }>('select tree_size, origin from audit.logs where log_id = $1 for update', [GLOBAL_LOG_ID]);
      const size = Number(log.rows[0]!.tree_size);
      const heads = await client.query<{ log_id: string; tree_size: string; root_hash: Buffer }>(
        `select distinct on (log_id) log_id, tree_size, root_hash from audit.checkpoints where log_id <> $1 order by log_id, tree_size desc`,
        [GLOBAL_LOG_ID],
      );
      const event: GlobalHeads = {
        type: 'partition-heads',
        logs: heads.rows.map((row) => ({ logId: row.log_id, treeSize: Number(row.tree_size), rootHash: row.root_hash.toString('base64') })),
      };
      if (event.logs.length === 0 || (await this.unchanged(client, size, event))) {
        await client.query('rollback');
        return undefined;
      }
      const range = CompactRange.fromHashes(size, await loadNodes(client, GLOBAL_LOG_ID, CompactRange.nodeIds(size)));
      const now = (this.options.now ?? (() => new Date()))();
      const entry = encodeLeaf({ log: GLOBAL_LOG_ID, seq: size, arrivedAt: now.toISOString(), source: { topic: GLOBAL_LOG_ID, partition: 0, offset: size }, event });
      const hash = leafHash(entry);
      const nodes: Array<[number, number, Buffer]> = [];
      range.append(hash, (id, nodeHash) => void (id.level > 0 && isStoredLevel(id.level) && nodes.push([id.level, id.index, nodeHash])));
      await client.query(
        'insert into audit.entries (log_id, seq, leaf_hash, entry, arrived_at, source_offset, event_id) values ($1, $2, $3, $4, $5, $2, $6)',
        [GLOBAL_LOG_ID, size, hash, entry, now, `global-${size}`],
      );
      if (nodes.length) {
        await client.query('insert into audit.nodes (log_id, level, idx, hash) select $1, l, i, h from unnest($2::smallint[], $3::bigint[], $4::bytea[]) as t(l, i, h)', [
          GLOBAL_LOG_ID,
          nodes.map((n) => n[0]),
          nodes.map((n) => n[1]),
          nodes.map((n) => n[2]),
        ]);
      }
      await client.query('update audit.logs set tree_size = $2 where log_id = $1', [GLOBAL_LOG_ID, range.size]);
      const rootHash = range.rootHash();
      const note = signing.sign({ origin: log.rows[0]!.origin, size: range.size, rootHash });
      await client.query('insert into audit.checkpoints (log_id, tree_size, root_hash, note, created_at) values ($1, $2, $3, $4, $5)', [GLOBAL_LOG_ID, range.size, rootHash, note, now]);
      await client.query('commit');
      return { logId: GLOBAL_LOG_ID, origin: log.rows[0]!.origin, treeSize: range.size, rootHash, note, createdAt: now, appended: 1 };
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      lost ??= error instanceof Error ? error : undefined;
      throw error;
    } finally {
      client.off('error', onError);
      client.release(lost);
    }
  }

  private async unchanged(client: { query: Pool['query'] }, size: number, event: GlobalHeads): Promise<boolean> {
    if (size === 0) return false;
    const last = await client.query<{ entry: Buffer }>('select entry from audit.entries where log_id = $1 and seq = $2', [GLOBAL_LOG_ID, size - 1]);
    if (!last.rows[0]) return false;
    const previous = (JSON.parse(last.rows[0].entry.subarray(1).toString('utf8')) as { event: GlobalHeads }).event;
    return canonicalJson(previous.logs) === canonicalJson(event.logs);
  }
}

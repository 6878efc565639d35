import { CompactRange, verifyCheckpoint, type NodeId } from '@vigil/merkle';
import type { Pool, PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { CheckpointSigning } from '../checkpoint/checkpoint-signing';
import { ENTRY_COPY_SQL, EntryRows } from './entry-rows';
import { logIdOf, originOf } from './log-id';
import { LogIntegrityError } from '../verify/integrity-incident';
import { isStoredLevel } from './node-strata';
import { loadNodes, MissingNodeError } from './postgres-node-source';

/** Entries encoded between two writes to the COPY stream (~250 KB of typical events). */
const ROWS_PER_CHUNK = 500;

/** One record to append, as the consumer hands it over (any contract value with an eventId). */
export interface SourceRecord {
  /** The topic as consumed (deployment prefix included). */
  topic: string;
  partition: number;
  offset: bigint;
  value: { eventId: string };
}

/** A checkpoint committed with a batch. */
export interface CommittedCheckpoint {
  logId: string;
  origin: string;
  treeSize: number;
  rootHash: Buffer;
  note: string;
  createdAt: Date;
  /** Entries this batch added (re-deliveries skipped). */
  appended: number;
}

export interface LogAppenderOptions {
  pool: Pool;
  /** Signs each checkpoint; a rebuilt log's latest checkpoint must verify with one of its trusted keys. */
  signing: CheckpointSigning;
  groupId: string;
  topicPrefix: string;
  originPrefix: string;
  /** Role for the batch transactions (SET LOCAL ROLE); empty: the connection's own user. */
  role: string;
  /** Time source, for tests. */
  now?: () => Date;
}

/**
 * Appends consumed records to their partition's Merkle log, exactly once: per partition, one
 * transaction locks the log row, skips records below the stored next offset (re-deliveries
 * after a crash or a rebalance), inserts the leaves and the perfect-subtree hashes they
 * complete, moves the offset and stores the signed checkpoint. Either all of that commits or
 * none of it, so the Postgres offsets are the truth and Kafka's commit only saves re-reading.
 *
 * The compact range of each log is kept in memory between batches; whenever the stored size
 * differs (first batch, a partition that moved away and back, a failed transaction) it is
 * rebuilt from at most 53 stored node hashes.
 */
export class LogAppender {
  private readonly ranges = new Map<string, CompactRange>();
  private readonly now: () => Date;

  constructor(private readonly options: LogAppenderOptions) {
    if (options.role && !/^[a-z_][a-z0-9_]{0,62}$/.test(options.role)) {
      throw new Error(`VIGIL_AUDIT_DB_ROLE must be a lower-case SQL identifier or empty, got a ${options.role.length}-character value with other characters`);
    }
    this.now = options.now ?? (() => new Date());
  }

  /** Appends a batch (records of several partitions, each partition in offset order); returns the new checkpoints. */
  async append(records: readonly SourceRecord[]): Promise<CommittedCheckpoint[]> {
    const byPartition = new Map<string, SourceRecord[]>();
    for (const record of records) {
      const key = `${record.topic}\u0000${record.partition}`;
      const list = byPartition.get(key);
      if (list) list.push(record);
      else byPartition.set(key, [record]);
    }
    // Logs are independent: their transactions run side by side on the pool.
    const results = await Promise.all([...byPartition.values()].map((list) => this.appendPartition(list)));
    return results.filter((checkpoint): checkpoint is CommittedCheckpoint => checkpoint !== undefined);
  }

  private async appendPartition(records: SourceRecord[]): Promise<CommittedCheckpoint | undefined> {
    const { topic, partition } = records[0]!;
    const baseTopic = topic.startsWith(this.options.topicPrefix) ? topic.slice(this.options.topicPrefix.length) : topic;
    const logId = logIdOf(baseTopic, partition);
    const client = await this.options.pool.connect();
    // A connection lost while checked out (Postgres restarting) emits 'error' on the client; the
    // query in flight rejects anyway, so listening here keeps it from ending the process.
    const onError = () => undefined;
    client.on('error', onError);
    try {
      await client.query(this.options.role ? `begin; set local role ${this.options.role}` : 'begin');
      const checkpoint = await this.appendInTransaction(client, { logId, baseTopic, topic, partition, records });
      await client.query('commit');
      client.off('error', onError);
      client.release();
      return checkpoint;
    } catch (error) {
      // The in-memory range may be ahead of what committed: rebuild it next time.
      this.ranges.delete(logId);
      client.off('error', onError);
      // The connection is closed rather than rolled back and reused: a COPY may still be open on
      // it (a ROLLBACK would queue behind it), and closing aborts the transaction just as well.
      client.release(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
  }

  private async appendInTransaction(
    client: PoolClient,
    { logId, baseTopic, topic, partition, records }: { logId: string; baseTopic: string; topic: string; partition: number; records: SourceRecord[] },
  ): Promise<CommittedCheckpoint | undefined> {
    const { groupId, originPrefix, signing } = this.options;
    // One round trip in the usual case: the log row locked, with the stored offset beside it.
    const lockLog = () =>
      client.query<{ tree_size: string; origin: string; next_offset: string | null }>(
        `select l.tree_size, l.origin, o.next_offset from audit.logs l
           left join audit.consumer_offsets o on o.group_id = $2 and o.topic = $3 and o.partition = $4
          where l.log_id = $1 for update of l`,
        [logId, groupId, topic, partition],
      );
    let log = await lockLog();
    if (log.rows.length === 0) {
      await client.query('insert into audit.logs (log_id, origin) values ($1, $2) on conflict (log_id) do nothing', [logId, originOf(originPrefix, logId)]);
      log = await lockLog();
    }
    const treeSize = Number(log.rows[0]!.tree_size);
    const origin = log.rows[0]!.origin;
    const nextOffset = log.rows[0]!.next_offset === null ? 0n : BigInt(log.rows[0]!.next_offset);
    const fresh = records.filter((record) => record.offset >= nextOffset);
    if (fresh.length === 0) return undefined;

    let range = this.ranges.get(logId);
    if (!range || range.size !== treeSize) {
      range = await this.rebuild(client, logId, origin, treeSize);
    } else {
      range = range.clone();
    }

    const arrivedAt = this.now();
    const nodeLevels: number[] = [];
    const nodeIdx: number[] = [];
    const nodeHashes: Buffer[] = [];
    const storeNode = (id: NodeId, nodeHash: Buffer) => {
      // Level 0 is the leaf hash, stored with the entry; only every NODE_STRIDE-th level above it is kept.
      if (id.level === 0 || !isStoredLevel(id.level)) return;
      nodeLevels.push(id.level);
      nodeIdx.push(id.index);
      nodeHashes.push(nodeHash);
    };
    // The entries stream to Postgres (binary COPY) in chunks while later ones are still being
    // encoded and hashed, so the server's work on one chunk overlaps ours on the next.
    const rows = new EntryRows({ logId, topic: baseTopic, partition, arrivedAt });
    const copy = client.query(copyFrom(ENTRY_COPY_SQL));
    const copied = new Promise<void>((resolve, reject) => {
      copy.once('finish', resolve);
      copy.once('error', reject);
    });
    copied.catch(() => undefined); // awaited below; this only keeps an early failure from counting as unhandled
    try {
      for (let i = 0; i < fresh.length; i++) {
        const record = fresh[i]!;
        range.append(rows.add(range.size, record.offset, record.value.eventId, record.value), storeNode);
        if ((i + 1) % ROWS_PER_CHUNK === 0) {
          copy.write(rows.take());
          // Lets the socket take the chunk (and the COPY start) before the next one is encoded.
          await new Promise<void>((resolve) => setImmediate(resolve));
        }
      }
    } catch (error) {
      copy.destroy(error instanceof Error ? error : new Error(String(error)));
      throw error;
    }
    const tail = rows.take();
    if (tail) copy.write(tail);
    copy.end(EntryRows.trailer);

    const newOffset = (fresh[fresh.length - 1]!.offset + 1n).toString();
    const rootHash = range.rootHash();
    const note = signing.sign({ origin, size: range.size, rootHash });
    // Everything else in one statement, queued behind the COPY: the node hashes, the consumed
    // offset, the log's new size and the signed checkpoint.
    const rest = client.query(
      `with nodes as (
         insert into audit.nodes (log_id, level, idx, hash)
         select $1, l, i, substring($4::bytea from (k::int - 1) * 32 + 1 for 32)
           from unnest($2::smallint[], $3::bigint[]) with ordinality as t(l, i, k)
       ), offsets as (
         insert into audit.consumer_offsets (group_id, topic, partition, log_id, next_offset) values ($5, $6, $7, $1, $8)
         on conflict (group_id, topic, partition) do update set next_offset = excluded.next_offset
       ), grown as (
         update audit.logs set tree_size = $9 where log_id = $1
       )
       insert into audit.checkpoints (log_id, tree_size, root_hash, note, created_at) values ($1, $9, $10, $11, $12)`,
      [logId, nodeLevels, nodeIdx, Buffer.concat(nodeHashes), groupId, topic, partition, newOffset, range.size, rootHash, note, arrivedAt],
    );
    await Promise.all([copied, rest]);
    this.ranges.set(logId, range);
    return { logId, origin, treeSize: range.size, rootHash, note, createdAt: arrivedAt, appended: fresh.length };
  }

  /**
   * The compact range from stored nodes, checked against the log's own latest checkpoint: a
   * log whose stored state no longer hashes to what was signed (changed behind the triggers)
   * must not be extended, since new checkpoints would sign the tampered state.
   */
  private async rebuild(client: PoolClient, logId: string, origin: string, treeSize: number): Promise<CompactRange> {
    let range: CompactRange;
    try {
      range = CompactRange.fromHashes(treeSize, await loadNodes(client, logId, CompactRange.nodeIds(treeSize)));
    } catch (error) {
      if (error instanceof MissingNodeError) throw new LogIntegrityError(logId, treeSize, error.message);
      throw error;
    }
    if (treeSize === 0) return range;
    const { rows } = await client.query<{ root_hash: Buffer; note: string }>('select root_hash, note from audit.checkpoints where log_id = $1 and tree_size = $2', [logId, treeSize]);
    if (!rows[0]) throw new LogIntegrityError(logId, treeSize, 'the log has no checkpoint of its recorded size');
    if (!rows[0].root_hash.equals(range.rootHash())) throw new LogIntegrityError(logId, treeSize, 'the stored node hashes do not give the root its latest checkpoint signs');
    let signed;
    try {
      signed = verifyCheckpoint(rows[0].note, { trusted: this.options.signing.trustedKeys, origin }).checkpoint;
    } catch (error) {
      throw new LogIntegrityError(
        logId,
        treeSize,
        `its latest checkpoint does not verify with this writer's key (or a key it replaced, or VIGIL_AUDIT_PREVIOUS_VERIFIER_KEYS): ${(error as Error).message}`,
      );
    }
    if (signed.size !== treeSize || !Buffer.from(signed.rootHash).equals(rows[0].root_hash)) {
      throw new LogIntegrityError(logId, treeSize, 'its latest checkpoint note signs another size or root than stored beside it');
    }
    return range;
  }
}

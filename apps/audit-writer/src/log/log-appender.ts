import { CompactRange, leafHash, signCheckpoint, verifyCheckpoint, type NoteSigner } from '@vigil/merkle';
import type { Pool, PoolClient } from 'pg';
import { encodeLeaf } from './leaf-encoding';
import { logIdOf, originOf } from './log-id';
import { LogIntegrityError } from '../verify/integrity-incident';
import { isStoredLevel } from './node-strata';
import { loadNodes, MissingNodeError } from './postgres-node-source';

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
}

export interface LogAppenderOptions {
  pool: Pool;
  signer: NoteSigner;
  /** The signer's verifier key: a rebuilt log's latest checkpoint must verify with it. */
  verifierKey?: string;
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
    let lost: Error | undefined;
    const onError = (error: Error) => (lost = error);
    client.on('error', onError);
    try {
      await client.query('begin');
      if (this.options.role) await client.query(`set local role ${this.options.role}`);
      const checkpoint = await this.appendInTransaction(client, { logId, baseTopic, topic, partition, records });
      await client.query('commit');
      return checkpoint;
    } catch (error) {
      // The in-memory range may be ahead of what committed: rebuild it next time.
      this.ranges.delete(logId);
      await client.query('rollback').catch(() => undefined);
      lost ??= error instanceof Error ? error : undefined;
      throw error;
    } finally {
      client.off('error', onError);
      // A client that failed is destroyed rather than returned to the pool.
      client.release(lost);
    }
  }

  private async appendInTransaction(
    client: PoolClient,
    { logId, baseTopic, topic, partition, records }: { logId: string; baseTopic: string; topic: string; partition: number; records: SourceRecord[] },
  ): Promise<CommittedCheckpoint | undefined> {
    const { groupId, originPrefix, signer } = this.options;
    await client.query('insert into audit.logs (log_id, origin) values ($1, $2) on conflict (log_id) do nothing', [logId, originOf(originPrefix, logId)]);
    const log = await client.query<{ tree_size: string; origin: string }>('select tree_size, origin from audit.logs where log_id = $1 for update', [logId]);
    const treeSize = Number(log.rows[0]!.tree_size);
    const origin = log.rows[0]!.origin;
    const stored = await client.query<{ next_offset: string }>(
      'select next_offset from audit.consumer_offsets where group_id = $1 and topic = $2 and partition = $3',
      [groupId, topic, partition],
    );
    const nextOffset = stored.rows.length ? BigInt(stored.rows[0]!.next_offset) : 0n;
    const fresh = records.filter((record) => record.offset >= nextOffset);
    if (fresh.length === 0) return undefined;

    let range = this.ranges.get(logId);
    if (!range || range.size !== treeSize) {
      range = await this.rebuild(client, logId, origin, treeSize);
    } else {
      range = range.clone();
    }

    const arrivedAt = this.now();
    const arrivedAtText = arrivedAt.toISOString();
    const seqs: number[] = [];
    const leafHashes: Buffer[] = [];
    const entries: Buffer[] = [];
    const offsets: string[] = [];
    const eventIds: string[] = [];
    const nodeLevels: number[] = [];
    const nodeIdx: number[] = [];
    const nodeHashes: Buffer[] = [];
    for (const record of fresh) {
      const seq = range.size;
      const entry = encodeLeaf({ log: logId, seq, arrivedAt: arrivedAtText, source: { topic: baseTopic, partition, offset: Number(record.offset) }, event: record.value });
      const hash = leafHash(entry);
      range.append(hash, (id, nodeHash) => {
        // Level 0 is the leaf hash, stored with the entry; only every NODE_STRIDE-th level above it is kept.
        if (id.level === 0 || !isStoredLevel(id.level)) return;
        nodeLevels.push(id.level);
        nodeIdx.push(id.index);
        nodeHashes.push(nodeHash);
      });
      seqs.push(seq);
      leafHashes.push(hash);
      entries.push(entry);
      offsets.push(record.offset.toString());
      eventIds.push(record.value.eventId);
    }
    // The leaf bytes and hashes travel as two bytea parameters cut apart in SQL: about twice as
    // fast as bytea[] arrays, whose text form the client builds and the server parses per element.
    const starts: number[] = [];
    let at = 1;
    for (const entry of entries) {
      starts.push(at);
      at += entry.length;
    }
    await client.query(
      `insert into audit.entries (log_id, seq, leaf_hash, entry, arrived_at, source_offset, event_id)
       select $1, s, substring($3::bytea from (k::int - 1) * 32 + 1 for 32), substring($4::bytea from b for n), $5, o, id
         from unnest($2::bigint[], $6::int[], $7::int[], $8::bigint[], $9::text[]) with ordinality as t(s, b, n, o, id, k)`,
      [logId, seqs, Buffer.concat(leafHashes), Buffer.concat(entries), arrivedAt, starts, entries.map((e) => e.length), offsets, eventIds],
    );
    await client.query(
      `insert into audit.nodes (log_id, level, idx, hash) select $1, l, i, h from unnest($2::smallint[], $3::bigint[], $4::bytea[]) as t(l, i, h)`,
      [logId, nodeLevels, nodeIdx, nodeHashes],
    );
    const newOffset = (fresh[fresh.length - 1]!.offset + 1n).toString();
    await client.query(
      `insert into audit.consumer_offsets (group_id, topic, partition, log_id, next_offset) values ($1, $2, $3, $4, $5)
       on conflict (group_id, topic, partition) do update set next_offset = excluded.next_offset`,
      [groupId, topic, partition, logId, newOffset],
    );
    await client.query('update audit.logs set tree_size = $2 where log_id = $1', [logId, range.size]);
    const rootHash = range.rootHash();
    const note = signCheckpoint({ origin, size: range.size, rootHash }, [signer]);
    await client.query('insert into audit.checkpoints (log_id, tree_size, root_hash, note, created_at) values ($1, $2, $3, $4, $5)', [
      logId,
      range.size,
      rootHash,
      note,
      arrivedAt,
    ]);
    this.ranges.set(logId, range);
    return { logId, origin, treeSize: range.size, rootHash, note, createdAt: arrivedAt };
  }

  /**
   * The compact range from stored nodes, checked against the log's own latest checkpoint: a
   * log whose stored state no longer hashes to what was signed (changed behind the triggers)
   * must not be extended, since new checkpoints would sign the tampered state.
   */
  private async rebuild(client: PoolClient, logId: string, origin: string, treeSize: number): Promise<CompactRange> {
    const { verifierKey } = this.options;
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
    if (verifierKey) {
      let signed;
      try {
        signed = verifyCheckpoint(rows[0].note, { trusted: [verifierKey], origin }).checkpoint;
      } catch (error) {
        throw new LogIntegrityError(logId, treeSize, `its latest checkpoint does not verify with this writer's key: ${(error as Error).message}`);
      }
      if (signed.size !== treeSize || !Buffer.from(signed.rootHash).equals(rows[0].root_hash)) {
        throw new LogIntegrityError(logId, treeSize, 'its latest checkpoint note signs another size or root than stored beside it');
      }
    }
    return range;
  }
}

import type { NodeId, NodeSource } from '@vigil/merkle';
import type { Pool, PoolClient } from 'pg';

type Queryable = Pick<Pool | PoolClient, 'query'>;

/**
 * Stored perfect-subtree hashes of one log, in the order asked; one query, whatever the count.
 * Level 0 (a leaf) is the entry's own leaf_hash; audit.nodes keeps levels 1 and up.
 */
export async function loadNodes(db: Queryable, logId: string, ids: readonly NodeId[]): Promise<Buffer[]> {
  if (ids.length === 0) return [];
  const inner = ids.filter((id) => id.level > 0);
  const leaves = ids.filter((id) => id.level === 0).map((id) => id.index);
  const { rows } = await db.query<{ level: number; idx: string; hash: Buffer }>(
    `select n.level, n.idx, n.hash from audit.nodes n
       join unnest($2::smallint[], $3::bigint[]) as want(level, idx) on n.level = want.level and n.idx = want.idx
      where n.log_id = $1
     union all
     select 0, e.seq, e.leaf_hash from audit.entries e where e.log_id = $1 and e.seq = any($4::bigint[])`,
    [logId, inner.map((id) => id.level), inner.map((id) => id.index), leaves],
  );
  const found = new Map(rows.map((row) => [`${row.level}/${row.idx}`, row.hash]));
  return ids.map((id) => {
    const hash = found.get(`${id.level}/${id.index}`);
    if (!hash) throw new MissingNodeError(logId, id);
    return hash;
  });
}

/** A node a proof needs is not stored: the log's node table is incomplete (or tampered with). */
export class MissingNodeError extends Error {
  constructor(readonly logId: string, readonly id: NodeId) {
    super(`audit log ${logId}: stored node (level ${id.level}, index ${id.index}) is missing; run "vigil audit verify" on this database`);
    this.name = 'MissingNodeError';
  }
}

/** The NodeSource that @vigil/merkle's proof builders read from. */
export function postgresNodeSource(db: Queryable, logId: string): NodeSource {
  return { getNodes: (ids) => loadNodes(db, logId, ids) };
}

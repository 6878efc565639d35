import type { NodeId, NodeSource } from '@vigil/merkle';
import { combine, storedCover } from './node-strata';
import type { Pool, PoolClient } from 'pg';

type Queryable = Pick<Pool | PoolClient, 'query'>;

/**
 * Perfect-subtree hashes of one log, in the order asked, from one query whatever the count.
 * Only some levels are stored (node-strata.ts): level 0 is the entries' leaf_hash, levels
 * 4, 8, ... are in audit.nodes, and any other node is recomputed from the stored ones below it.
 */
export async function loadNodes(db: Queryable, logId: string, ids: readonly NodeId[]): Promise<Buffer[]> {
  if (ids.length === 0) return [];
  const covers = ids.map(storedCover);
  const wanted = new Map<string, NodeId>();
  for (const id of covers.flat()) wanted.set(`${id.level}/${id.index}`, id);
  const inner = [...wanted.values()].filter((id) => id.level > 0);
  const leaves = [...wanted.values()].filter((id) => id.level === 0).map((id) => id.index);
  const { rows } = await db.query<{ level: number; idx: string; hash: Buffer }>(
    `select n.level, n.idx, n.hash from audit.nodes n
       join unnest($2::smallint[], $3::bigint[]) as want(level, idx) on n.level = want.level and n.idx = want.idx
      where n.log_id = $1
     union all
     select 0, e.seq, e.leaf_hash from audit.entries e where e.log_id = $1 and e.seq = any($4::bigint[])`,
    [logId, inner.map((id) => id.level), inner.map((id) => id.index), leaves],
  );
  const found = new Map(rows.map((row) => [`${row.level}/${row.idx}`, row.hash]));
  return covers.map((cover, i) => {
    const hashes = cover.map((id) => {
      const hash = found.get(`${id.level}/${id.index}`);
      if (!hash) throw new MissingNodeError(logId, cover.length === 1 ? id : ids[i]!);
      return hash;
    });
    return combine(hashes);
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

import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';

export interface LeaseRow {
  id: string;
  path: string;
  actor_type: string;
  actor_id: string;
  expires_at: Date;
  max_expires_at: Date;
  revoked_at: Date | null;
  /** Computed by Postgres (one clock for every replica). */
  expired: boolean;
}

type Queryable = Pool | PoolClient;

const SELECT = 'select id, path, actor_type, actor_id, expires_at, max_expires_at, revoked_at, expires_at <= now() as expired from vault.leases';

/** A lease id: 128 random bits. Not a credential by itself: a lease only serves the actor it was issued to. */
export const LEASE_ID = /^[0-9a-f]{32}$/;
export const newLeaseId = () => randomBytes(16).toString('hex');

/** The SQL of a lease's end `ms` from now (a parameter placeholder such as `$5`). */
export const endsIn = (msParam: string) => `now() + make_interval(secs => ${msParam}::float8 / 1000)`;

/** A new lease's row before it is inserted: who holds it, and for how long. */
export interface NewLease {
  id: string;
  actorType: string;
  actorId: string;
  ttlMs: number;
  maxTtlMs: number;
}

export async function findLease(db: Queryable, id: string, forUpdate = false): Promise<LeaseRow | undefined> {
  const { rows } = await db.query<LeaseRow>(`${SELECT} where id = $1${forUpdate ? ' for update' : ''}`, [id]);
  return rows[0];
}

/** Extends the lease by ttl from now, never past its maximum lifetime. */
export async function extendLease(db: Queryable, id: string, ttlMs: number): Promise<LeaseRow> {
  const { rows } = await db.query<LeaseRow>(
    `update vault.leases set expires_at = least(${endsIn('$2')}, max_expires_at), renewed_at = now() where id = $1
     returning id, path, actor_type, actor_id, expires_at, max_expires_at, revoked_at, false as expired`,
    [id, ttlMs],
  );
  return rows[0];
}

export async function revokeLeases(db: Queryable, where: { id: string } | { pathPrefix: string }, by: string): Promise<Array<{ id: string; path: string }>> {
  const [condition, param] = 'id' in where ? ['id = $1', where.id] : ["(path = $1 or left(path, length($1) + 1) = $1 || '/')", where.pathPrefix];
  const { rows } = await db.query<{ id: string; path: string }>(
    `update vault.leases set revoked_at = now(), revoked_by = $2 where ${condition} and revoked_at is null and expires_at > now() returning id, path`,
    [param, by],
  );
  return rows;
}

/** Leases past their end for more than a day are only clutter: their outcome is in the audit log. */
export async function purgeOldLeases(db: Queryable): Promise<number> {
  const result = await db.query("delete from vault.leases where expires_at < now() - interval '1 day'");
  return result.rowCount ?? 0;
}

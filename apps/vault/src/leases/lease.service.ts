import { Inject, Injectable, Logger } from '@nestjs/common';
import { PG_POOL, SERVICE_CONFIG } from '@vigil/service';
import type { Pool } from 'pg';
import type { Caller } from '../access/vault-gate';
import { auditedChange } from '../audit/audited-operation';
import { VaultAudit } from '../audit/vault-audit';
import type { VaultConfig } from '../vault.config';
import { leaseGone, notFound } from '../vault.errors';
import { VaultMetrics } from '../vault.metrics';
import { extendLease, findLease, newLeaseId, purgeOldLeases, revokeLeases, type LeaseRow, type NewLease } from './lease.store';

/** A lease as answered with a read or a renewal. */
export interface LeaseView {
  id: string;
  ttlSec: number;
  expiresAt: string;
  /** False once the lease reached its maximum lifetime: read the secret again for a new one. */
  renewable: boolean;
}

export interface RenewAnswer {
  leaseId: string;
  path: string;
  ttlSec: number;
  expiresAt: string;
  renewable: boolean;
  /** The secret's current version: the holder re-reads when it holds an older one (rotation). */
  currentVersion: number;
}

const PURGE_EVERY_MS = 60_000;

/**
 * Leases on secret reads. Every read hands out a lease (TTL VIGIL_VAULT_LEASE_TTL); its
 * holder renews it up to VIGIL_VAULT_LEASE_MAX_TTL; the holder or an operator revokes it.
 * A read presenting an expired or revoked lease fails (410): the holder must read afresh,
 * which is audited and checked against the current access rules.
 */
@Injectable()
export class LeaseService {
  private readonly ttlMs: number;
  private readonly maxTtlMs: number;
  private lastPurge = 0;
  private readonly logger = new Logger('LeaseService');
  private readonly deps: { pool: Pool; audit: VaultAudit; metrics: VaultMetrics };

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) config: VaultConfig,
    audit: VaultAudit,
    metrics: VaultMetrics,
  ) {
    this.ttlMs = config.VIGIL_VAULT_LEASE_TTL;
    this.maxTtlMs = Math.max(config.VIGIL_VAULT_LEASE_MAX_TTL, config.VIGIL_VAULT_LEASE_TTL);
    this.deps = { pool, audit, metrics };
  }

  /** A lease for the caller, to be inserted by the read that hands it out (one statement with the read: secret-read.store.ts). */
  newLease(caller: Caller): NewLease {
    if (Date.now() - this.lastPurge > PURGE_EVERY_MS) {
      this.lastPurge = Date.now();
      purgeOldLeases(this.pool).catch((error: Error) => this.logger.warn(`old leases not purged: ${error.message}`));
    }
    return { id: newLeaseId(), actorType: caller.actor.type, actorId: caller.actor.id, ttlMs: this.ttlMs, maxTtlMs: this.maxTtlMs };
  }

  /** The answer's view of a lease the read inserted. */
  viewOf(lease: LeaseTimes): LeaseView {
    return view(lease);
  }

  /** A read presenting lease `id`: it must be the caller's, for `path`, not expired and not revoked. */
  async check(caller: Caller, id: string, path: string): Promise<LeaseView> {
    return view(usable(await findLease(this.pool, id), id, caller, path));
  }

  async renew(caller: Caller, id: string): Promise<RenewAnswer> {
    const lease = await findLease(this.pool, id);
    return auditedChange(this.deps, { actor: caller.actor, action: 'leases.renew', resource: lease && owns(caller, lease) ? `secret:${lease.path}` : `lease:${id}`, traceId: caller.traceId }, async (client, details) => {
      const row = usable(await findLease(client, id, true), id, caller);
      const renewed = await extendLease(client, id, this.ttlMs);
      const head = await client.query<{ current_version: number }>('select current_version from vault.secrets where path = $1', [row.path]);
      const answer = { leaseId: id, path: row.path, ...viewTimes(renewed), currentVersion: head.rows[0]?.current_version ?? 0 };
      Object.assign(details, { leaseId: id, ttlSec: answer.ttlSec, renewable: answer.renewable });
      return answer;
    });
  }

  /** Whose lease `id` is (for the controller's "holder or operator" check); undefined if none. */
  async holder(id: string): Promise<{ actorType: string; actorId: string; path: string } | undefined> {
    const lease = await findLease(this.pool, id);
    return lease && { actorType: lease.actor_type, actorId: lease.actor_id, path: lease.path };
  }

  /** Revokes one lease (its holder, or an operator after the controller's check). */
  async revoke(caller: Caller, id: string): Promise<{ revoked: string[] }> {
    const lease = await findLease(this.pool, id);
    return auditedChange(this.deps, { actor: caller.actor, action: 'leases.revoke', resource: lease ? `secret:${lease.path}` : `lease:${id}`, traceId: caller.traceId }, async (client, details) => {
      if (!lease) throw notFound(`lease ${id}`);
      const revoked = await revokeLeases(client, { id }, `${caller.actor.type}:${caller.actor.id}`);
      Object.assign(details, { leaseId: id, count: revoked.length });
      return { revoked: revoked.map((r) => r.id) };
    });
  }

  /** Revokes every active lease on `prefix` and the paths below it: their holders must read again (e.g. after a rotation or a leak). */
  async revokePrefix(caller: Caller, prefix: string): Promise<{ revoked: number }> {
    return auditedChange(this.deps, { actor: caller.actor, action: 'leases.revoke_prefix', resource: `secret:${prefix}`, traceId: caller.traceId }, async (client, details) => {
      const revoked = await revokeLeases(client, { pathPrefix: prefix }, `${caller.actor.type}:${caller.actor.id}`);
      Object.assign(details, { count: revoked.length });
      return { revoked: revoked.length };
    });
  }
}

function owns(caller: Caller, lease: LeaseRow): boolean {
  return lease.actor_id === caller.actor.id && lease.actor_type === caller.actor.type;
}

// Someone else's lease answers like a missing one: a lease id reveals nothing to another caller.
function usable(lease: LeaseRow | undefined, id: string, caller: Caller, path?: string): LeaseRow {
  if (!lease || !owns(caller, lease) || (path !== undefined && lease.path !== path)) throw notFound(`lease ${id}${path ? ` for secret ${path}` : ''} (of this caller)`);
  if (lease.revoked_at) throw leaseGone('lease_revoked', `lease ${id} on secret ${lease.path} was revoked at ${lease.revoked_at.toISOString()}; read the secret again`);
  if (lease.expired) throw leaseGone('lease_expired', `lease ${id} on secret ${lease.path} expired at ${lease.expires_at.toISOString()}; read the secret again`);
  return lease;
}

type LeaseTimes = Pick<LeaseRow, 'id' | 'expires_at' | 'max_expires_at'>;

function viewTimes(lease: LeaseTimes): { ttlSec: number; expiresAt: string; renewable: boolean } {
  return {
    ttlSec: Math.max(0, Math.round((lease.expires_at.getTime() - Date.now()) / 1000)),
    expiresAt: lease.expires_at.toISOString(),
    renewable: lease.expires_at.getTime() < lease.max_expires_at.getTime(),
  };
}

function view(lease: LeaseTimes): LeaseView {
  return { id: lease.id, ...viewTimes(lease) };
}

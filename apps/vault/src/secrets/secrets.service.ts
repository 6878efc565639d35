import { HttpStatus, Inject, Injectable } from '@nestjs/common';
import type { JsonObject } from '@vigil/contracts';
import { PG_POOL, SERVICE_CONFIG } from '@vigil/service';
import type { Pool, PoolClient } from 'pg';
import { serviceOwnsPath } from '../access/service-paths';
import type { Caller } from '../access/vault-gate';
import { auditedChange, auditedRead, type AuditDeps } from '../audit/audited-operation';
import { VaultAudit } from '../audit/vault-audit';
import { DecryptionError, gcmOpen, gcmSeal } from '../crypto/aes-gcm';
import { secretAad } from '../crypto/associated-data';
import { VaultKeyring } from '../keyring/vault-keyring';
import { LeaseService, type LeaseView } from '../leases/lease.service';
import type { VaultConfig } from '../vault.config';
import { VaultError, badRequest, conflict, integrityFailure, notFound } from '../vault.errors';
import { VaultMetrics } from '../vault.metrics';
import { readVersionWithLease } from './secret-read.store';
import { decodeSecretData, encodeSecretData, type SecretData } from './secret-value';

export interface SecretVersionInfo {
  version: number;
  createdAt: string;
  deletedAt: string | null;
  destroyed: boolean;
}

export interface SecretMetadata {
  path: string;
  currentVersion: number;
  maxVersions: number;
  versions: SecretVersionInfo[];
}

interface VersionRow {
  version: number;
  keyring_version: number;
  ciphertext: Buffer | null;
  created_at: Date;
  deleted_at: Date | null;
  destroyed_at: Date | null;
}

const resourceOf = (path: string) => `secret:${path}`;

/**
 * Versioned key/value secrets. Each version is sealed with the current keyring key and
 * bound to (path, version) as associated data. Writes are check-and-set when `cas` is
 * given; only the last N versions are kept. Every operation is audited before it returns;
 * the changing ones produce their event inside the transaction, so a write that cannot be
 * audited is rolled back.
 */
@Injectable()
export class SecretsService {
  private readonly maxVersions: number;
  private readonly deps: AuditDeps;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) config: VaultConfig,
    private readonly keyring: VaultKeyring,
    audit: VaultAudit,
    metrics: VaultMetrics,
    private readonly leases: LeaseService,
  ) {
    this.maxVersions = config.VIGIL_VAULT_MAX_VERSIONS;
    this.deps = { pool, audit, metrics };
  }

  /**
   * Reads a version (default the current one) and hands out a lease on it; a read presenting
   * `leaseId` (the client re-reading after a rotation) must hold a live lease of this caller.
   */
  async read(caller: Caller, path: string, version?: number, leaseId?: string): Promise<{ path: string; version: number; createdAt: string; data: SecretData; lease: LeaseView }> {
    return this.audited(caller, 'secrets.read', path, version === undefined ? {} : { version }, async (note) => {
      const presented = leaseId === undefined ? undefined : await this.leases.check(caller, leaseId, path);
      const row = await readVersionWithLease(this.pool, path, version, presented ? undefined : this.leases.newLease(caller));
      if (!row || row.current_version === 0) throw notFound(`secret ${path}`);
      const wanted = row.wanted;
      if (row.version === null) throw notFound(`secret ${path} v${wanted} (only the last ${this.maxVersions} versions are kept)`);
      if (row.destroyed_at || !row.ciphertext) throw new VaultError(HttpStatus.NOT_FOUND, 'destroyed', `secret ${path} v${wanted} was destroyed`);
      if (row.deleted_at) throw new VaultError(HttpStatus.NOT_FOUND, 'deleted', `secret ${path} v${wanted} is deleted; undelete it to read it`);
      note({ version: wanted });
      const lease = presented ?? this.leases.viewOf({ id: row.lease_id as string, expires_at: row.lease_expires_at as Date, max_expires_at: row.lease_max_expires_at as Date });
      note({ leaseId: lease.id });
      const key = await this.keyring.keyFor(row.keyring_version);
      let plaintext: Buffer;
      try {
        plaintext = gcmOpen(key, row.ciphertext, secretAad(path, wanted), `secret ${path} v${wanted}`);
      } catch (error) {
        if (error instanceof DecryptionError) throw integrityFailure(`secret ${path} v${wanted}`);
        throw error;
      }
      try {
        return { path, version: wanted, createdAt: row.created_at.toISOString(), data: decodeSecretData(plaintext), lease };
      } finally {
        plaintext.fill(0);
      }
    });
  }

  /** Writes a new version. `cas`: the current version the caller expects (0 = the secret must not exist yet); another one → 409. */
  async write(caller: Caller, path: string, data: unknown, cas?: number): Promise<{ path: string; version: number }> {
    if (cas !== undefined && (!Number.isSafeInteger(cas) || cas < 0)) throw badRequest('cas', 'must be a non-negative integer: the version you expect to be current (0: must not exist)');
    const plaintext = encodeSecretData(data);
    try {
      return await this.auditedTx(caller, 'secrets.write', path, cas === undefined ? {} : { cas }, async (client, note) => {
        await client.query('insert into vault.secrets (path) values ($1) on conflict do nothing', [path]);
        const head = await client.query<{ current_version: number }>('select current_version from vault.secrets where path = $1 for update', [path]);
        const current = head.rows[0].current_version;
        if (cas !== undefined && cas !== current) {
          throw conflict('cas_mismatch', `secret ${path}: check-and-set expected version ${cas} to be current, but it is ${current}; read it again and retry`, { currentVersion: current });
        }
        const version = current + 1;
        const { version: keyringVersion, key } = await this.keyring.current();
        const ciphertext = gcmSeal(key, plaintext, secretAad(path, version));
        await client.query('insert into vault.secret_versions (path, version, keyring_version, ciphertext) values ($1, $2, $3, $4)', [path, version, keyringVersion, ciphertext]);
        await client.query('update vault.secrets set current_version = $2, updated_at = now() where path = $1', [path, version]);
        const pruned = await client.query('delete from vault.secret_versions where path = $1 and version <= $2', [path, version - this.maxVersions]);
        note({ version, ...(pruned.rowCount ? { prunedVersions: pruned.rowCount } : {}) });
        return { path, version };
      });
    } finally {
      plaintext.fill(0);
    }
  }

  /** Soft delete: the versions (default the current one) stop being readable; undelete brings them back. */
  async softDelete(caller: Caller, path: string, versions?: number[]): Promise<{ path: string; versions: number[] }> {
    return this.changeVersions(caller, 'secrets.delete', path, versions, 'deleted_at = now()', 'deleted_at is null and destroyed_at is null');
  }

  async undelete(caller: Caller, path: string, versions?: number[]): Promise<{ path: string; versions: number[] }> {
    return this.changeVersions(caller, 'secrets.undelete', path, versions, 'deleted_at = null', 'deleted_at is not null and destroyed_at is null');
  }

  /** Destroy: the ciphertext is wiped for good; the version row stays as a record that it existed. */
  async destroy(caller: Caller, path: string, versions?: number[]): Promise<{ path: string; versions: number[] }> {
    return this.changeVersions(caller, 'secrets.destroy', path, versions, 'ciphertext = null, destroyed_at = now()', 'destroyed_at is null');
  }

  /** Paths (and current versions) at or below `prefix`; a service sees only its own paths. Never values. */
  async list(caller: Caller, prefix?: string): Promise<{ paths: Array<{ path: string; currentVersion: number }> }> {
    return this.audited(caller, 'secrets.list', prefix ?? '*', {}, async (note) => {
      const { rows } = await this.pool.query<{ path: string; current_version: number }>(
        "select path, current_version from vault.secrets where current_version > 0 and ($1::text is null or path = $1 or left(path, length($1) + 1) = $1 || '/') order by path limit 10000",
        [prefix ?? null],
      );
      const visible = caller.actor.type === 'service' ? rows.filter((r) => serviceOwnsPath(caller.actor.roles ?? [], r.path)) : rows;
      note({ count: visible.length });
      return { paths: visible.map((r) => ({ path: r.path, currentVersion: r.current_version })) };
    });
  }

  async metadata(caller: Caller, path: string): Promise<SecretMetadata> {
    return this.audited(caller, 'secrets.metadata', path, {}, async () => {
      const head = await this.pool.query<{ current_version: number }>('select current_version from vault.secrets where path = $1', [path]);
      if (!head.rows[0]) throw notFound(`secret ${path}`);
      const { rows } = await this.pool.query<VersionRow>('select version, created_at, deleted_at, destroyed_at from vault.secret_versions where path = $1 order by version', [path]);
      return {
        path,
        currentVersion: head.rows[0].current_version,
        maxVersions: this.maxVersions,
        versions: rows.map((r) => ({ version: r.version, createdAt: r.created_at.toISOString(), deletedAt: r.deleted_at?.toISOString() ?? null, destroyed: r.destroyed_at !== null })),
      };
    });
  }

  private async changeVersions(caller: Caller, action: string, path: string, versions: number[] | undefined, set: string, where: string) {
    if (versions !== undefined && (!Array.isArray(versions) || versions.length === 0 || versions.length > 100 || !versions.every((v) => Number.isSafeInteger(v) && v > 0))) {
      throw badRequest('versions', 'must be a list of 1 to 100 positive version numbers');
    }
    return this.auditedTx(caller, action, path, versions ? { versions } : {}, async (client, note) => {
      const head = await client.query<{ current_version: number }>('select current_version from vault.secrets where path = $1 for update', [path]);
      if (!head.rows[0] || head.rows[0].current_version === 0) throw notFound(`secret ${path}`);
      const targets = versions ?? [head.rows[0].current_version];
      const changed = await client.query<{ version: number }>(
        `update vault.secret_versions set ${set} where path = $1 and version = any($2::int[]) and ${where} returning version`,
        [path, targets],
      );
      const done = changed.rows.map((r) => r.version).sort((a, b) => a - b);
      note({ versions: done });
      return { path, versions: done };
    });
  }

  private audited<T>(caller: Caller, action: string, path: string, details: JsonObject, fn: (note: (d: JsonObject) => void) => Promise<T>): Promise<T> {
    return auditedRead(this.deps, { actor: caller.actor, action, resource: resourceOf(path), traceId: caller.traceId, details }, (noted) => fn((d) => Object.assign(noted, d)));
  }

  // Changes: the audit event is produced before COMMIT, so a change that cannot be audited does not happen.
  private auditedTx<T>(caller: Caller, action: string, path: string, details: JsonObject, fn: (client: PoolClient, note: (d: JsonObject) => void) => Promise<T>): Promise<T> {
    return auditedChange(this.deps, { actor: caller.actor, action, resource: resourceOf(path), traceId: caller.traceId, details }, (client, noted) => fn(client, (d) => Object.assign(noted, d)));
  }
}

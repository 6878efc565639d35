import { Inject, Injectable } from '@nestjs/common';
import type { JsonObject } from '@vigil/contracts';
import { PG_POOL, SERVICE_CONFIG } from '@vigil/service';
import { randomBytes, type KeyObject } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Caller } from '../access/vault-gate';
import { auditedChange, auditedRead, type AuditDeps } from '../audit/audited-operation';
import { VaultAudit } from '../audit/vault-audit';
import { DecryptionError, KEY_BYTES, gcmOpen, gcmSeal, importKey } from '../crypto/aes-gcm';
import { transitDataAad, transitKeyAad } from '../crypto/associated-data';
import { VaultKeyring } from '../keyring/vault-keyring';
import type { VaultConfig } from '../vault.config';
import { badRequest, conflict, integrityFailure, notFound } from '../vault.errors';
import { VaultMetrics } from '../vault.metrics';
import { CiphertextFormatError, formatCiphertext, parseCiphertext } from './ciphertext-format';
import { EncryptionCounter, EncryptionLimitReached } from './encryption-counter';
import { PostgresCounterStore } from './transit-counter.store';
import { decodePlaintext } from './transit-request';

export interface TransitKeyInfo {
  name: string;
  latestVersion: number;
  minDecryptionVersion: number;
  versions: Array<{ version: number; createdAt: string; encryptionsReserved: number }>;
  encryptionLimit: number;
}

/** One item of a batch answer: its result, or why that item failed (the others still succeed). */
export type ItemResult<T> = T | { error: string; message: string };

interface KeyState {
  latest: number;
  minDecryption: number;
}

const resourceOf = (name: string) => `transit-key:${name}`;

/**
 * Encryption as a service. Named keys have versions; the latest encrypts, every version from
 * min_decryption_version up decrypts. Key material is sealed by the keyring in Postgres and
 * kept unsealed in memory once used. Every encryption is counted against its key version.
 */
@Injectable()
export class TransitService {
  private readonly counter: EncryptionCounter;
  private readonly keys = new Map<string, KeyObject>();
  private readonly deps: AuditDeps;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) config: VaultConfig,
    private readonly keyring: VaultKeyring,
    audit: VaultAudit,
    private readonly metrics: VaultMetrics,
  ) {
    this.deps = { pool, audit, metrics };
    this.counter = new EncryptionCounter(new PostgresCounterStore(pool), config.VIGIL_VAULT_TRANSIT_ENCRYPTION_LIMIT, config.VIGIL_VAULT_TRANSIT_COUNTER_BLOCK);
  }

  async createKey(caller: Caller, name: string): Promise<TransitKeyInfo> {
    await this.auditedTx(caller, 'transit.key_create', name, async (client, details) => {
      const inserted = await client.query('insert into vault.transit_keys (name, latest_version) values ($1, 1) on conflict do nothing', [name]);
      if (!inserted.rowCount) throw conflict('key_exists', `transit key ${name} already exists; rotate it to add a version`);
      await this.insertVersion(client, name, 1);
      details['version'] = 1;
    });
    return this.describe(name);
  }

  async rotate(caller: Caller, name: string): Promise<TransitKeyInfo> {
    await this.auditedTx(caller, 'transit.rotate', name, async (client, details) => {
      const state = await this.lockKey(client, name);
      const version = state.latest + 1;
      await this.insertVersion(client, name, version);
      await client.query('update vault.transit_keys set latest_version = $2, updated_at = now() where name = $1', [name, version]);
      details['version'] = version;
    });
    return this.describe(name);
  }

  async configure(caller: Caller, name: string, minDecryptionVersion: unknown): Promise<TransitKeyInfo> {
    if (!Number.isSafeInteger(minDecryptionVersion) || (minDecryptionVersion as number) < 1) throw badRequest('min_decryption_version', 'must be a positive integer');
    const min = minDecryptionVersion as number;
    await this.auditedTx(caller, 'transit.key_config', name, async (client, details) => {
      const state = await this.lockKey(client, name);
      if (min > state.latest) throw badRequest('min_decryption_version', `must be at most the latest version ${state.latest}`);
      await client.query('update vault.transit_keys set min_decryption_version = $2, updated_at = now() where name = $1', [name, min]);
      details['minDecryptionVersion'] = min;
      details['previousMinDecryptionVersion'] = state.minDecryption;
    });
    return this.describe(name);
  }

  async read(caller: Caller, name: string): Promise<TransitKeyInfo> {
    return this.audited(caller, 'transit.key_read', name, async () => this.describe(name));
  }

  async encrypt(caller: Caller, name: string, plaintexts: string[]): Promise<Array<ItemResult<{ ciphertext: string; keyVersion: number }>>> {
    const inputs = plaintexts.map((p, i) => decodePlaintext(p, plaintexts.length > 1 ? `batch[${i}].plaintext` : 'plaintext'));
    try {
      return await this.audited(caller, 'transit.encrypt', name, async (details) => {
        const state = await this.state(name);
        const key = await this.versionKey(name, state.latest);
        await this.take(name, state.latest, inputs.length);
        details['keyVersion'] = state.latest;
        details['count'] = inputs.length;
        return inputs.map((input) => ({ ciphertext: formatCiphertext(state.latest, gcmSeal(key, input, transitDataAad(name, state.latest))), keyVersion: state.latest }));
      });
    } finally {
      for (const input of inputs) input.fill(0);
    }
  }

  async decrypt(caller: Caller, name: string, ciphertexts: string[]): Promise<Array<ItemResult<{ plaintext: string; keyVersion: number }>>> {
    return this.audited(caller, 'transit.decrypt', name, async (details) => {
      const state = await this.state(name);
      const results = await Promise.all(
        ciphertexts.map(async (text) => {
          const opened = await this.open(name, state, text);
          if ('error' in opened) return opened;
          try {
            return { plaintext: opened.plaintext.toString('base64'), keyVersion: opened.version };
          } finally {
            opened.plaintext.fill(0);
          }
        }),
      );
      summarize(details, results);
      return results;
    });
  }

  /** Decrypts under the old version and encrypts under the latest, inside the vault: the plaintext never leaves. */
  async rewrap(caller: Caller, name: string, ciphertexts: string[]): Promise<Array<ItemResult<{ ciphertext: string; keyVersion: number }>>> {
    return this.audited(caller, 'transit.rewrap', name, async (details) => {
      const state = await this.state(name);
      const opened = await Promise.all(ciphertexts.map((text) => this.open(name, state, text)));
      try {
        const ok = opened.filter((o) => !('error' in o)).length;
        const key = await this.versionKey(name, state.latest);
        if (ok > 0) await this.take(name, state.latest, ok);
        const results = opened.map((o) =>
          'error' in o ? o : { ciphertext: formatCiphertext(state.latest, gcmSeal(key, o.plaintext, transitDataAad(name, state.latest))), keyVersion: state.latest },
        );
        details['keyVersion'] = state.latest;
        summarize(details, results);
        return results;
      } finally {
        for (const o of opened) if (!('error' in o)) o.plaintext.fill(0);
      }
    });
  }

  private async open(name: string, state: KeyState, text: string): Promise<{ plaintext: Buffer; version: number } | { error: string; message: string }> {
    let parsed: { version: number; sealed: Buffer };
    try {
      parsed = parseCiphertext(text);
    } catch (error) {
      if (error instanceof CiphertextFormatError) return { error: 'invalid_ciphertext', message: error.message };
      throw error;
    }
    if (parsed.version > state.latest) return { error: 'unknown_key_version', message: `transit key ${name} has no v${parsed.version} (latest is v${state.latest})` };
    if (parsed.version < state.minDecryption) {
      return { error: 'key_version_retired', message: `transit key ${name} v${parsed.version} is below min_decryption_version ${state.minDecryption}; it no longer decrypts` };
    }
    const key = await this.versionKey(name, parsed.version);
    try {
      return { plaintext: gcmOpen(key, parsed.sealed, transitDataAad(name, parsed.version)), version: parsed.version };
    } catch (error) {
      if (error instanceof DecryptionError) return { error: 'decryption_failed', message: `ciphertext does not authenticate under transit key ${name} v${parsed.version} (modified, or encrypted under another key)` };
      throw error;
    }
  }

  private async take(name: string, version: number, count: number): Promise<void> {
    try {
      await this.counter.take(name, version, count);
      this.metrics.transitReserved.inc({ key_version: String(version) }, count);
    } catch (error) {
      if (error instanceof EncryptionLimitReached) throw conflict('rotation_required', error.message, { keyVersion: version, limit: error.limit });
      throw error;
    }
  }

  // Read fresh from Postgres on every request: another replica may have rotated or raised min_decryption_version.
  private async state(name: string): Promise<KeyState> {
    const { rows } = await this.pool.query<{ latest_version: number; min_decryption_version: number }>(
      'select latest_version, min_decryption_version from vault.transit_keys where name = $1',
      [name],
    );
    if (!rows[0]) throw notFound(`transit key ${name}`);
    return { latest: rows[0].latest_version, minDecryption: rows[0].min_decryption_version };
  }

  private async lockKey(client: PoolClient, name: string): Promise<KeyState> {
    const { rows } = await client.query<{ latest_version: number; min_decryption_version: number }>(
      'select latest_version, min_decryption_version from vault.transit_keys where name = $1 for update',
      [name],
    );
    if (!rows[0]) throw notFound(`transit key ${name}`);
    return { latest: rows[0].latest_version, minDecryption: rows[0].min_decryption_version };
  }

  private async versionKey(name: string, version: number): Promise<KeyObject> {
    const id = `${name}\0${version}`;
    const cached = this.keys.get(id);
    if (cached) return cached;
    const { rows } = await this.pool.query<{ wrapped: Buffer; keyring_version: number }>('select wrapped, keyring_version from vault.transit_key_versions where name = $1 and version = $2', [name, version]);
    if (!rows[0]) throw integrityFailure(`transit key ${name} v${version} (its version row is missing)`);
    const keyringKey = await this.keyring.keyFor(rows[0].keyring_version);
    let key: KeyObject;
    try {
      key = importKey(gcmOpen(keyringKey, rows[0].wrapped, transitKeyAad(name, version), `transit key ${name} v${version}`));
    } catch (error) {
      if (error instanceof DecryptionError) throw integrityFailure(`transit key ${name} v${version}`);
      throw error;
    }
    this.keys.set(id, key);
    return key;
  }

  private async insertVersion(client: PoolClient, name: string, version: number): Promise<void> {
    const material = randomBytes(KEY_BYTES);
    try {
      const { version: keyringVersion, key } = await this.keyring.current();
      await client.query('insert into vault.transit_key_versions (name, version, keyring_version, wrapped) values ($1, $2, $3, $4)', [
        name,
        version,
        keyringVersion,
        gcmSeal(key, material, transitKeyAad(name, version)),
      ]);
    } finally {
      material.fill(0);
    }
  }

  private async describe(name: string): Promise<TransitKeyInfo> {
    const state = await this.state(name);
    const { rows } = await this.pool.query<{ version: number; created_at: Date; encryptions_reserved: string }>(
      'select version, created_at, encryptions_reserved from vault.transit_key_versions where name = $1 order by version',
      [name],
    );
    return {
      name,
      latestVersion: state.latest,
      minDecryptionVersion: state.minDecryption,
      versions: rows.map((r) => ({ version: r.version, createdAt: r.created_at.toISOString(), encryptionsReserved: Number(r.encryptions_reserved) })),
      encryptionLimit: this.counter.limit,
    };
  }

  private audited<T>(caller: Caller, action: string, name: string, fn: (details: JsonObject) => Promise<T>): Promise<T> {
    return auditedRead(this.deps, { actor: caller.actor, action, resource: resourceOf(name), traceId: caller.traceId }, fn);
  }

  private async auditedTx(caller: Caller, action: string, name: string, fn: (client: PoolClient, details: JsonObject) => Promise<void>): Promise<void> {
    await auditedChange(this.deps, { actor: caller.actor, action, resource: resourceOf(name), traceId: caller.traceId }, fn);
  }

  /** Forgets the unsealed key material (shutdown): its native copies are cleansed when collected (see importKey). */
  wipe(): void {
    this.keys.clear();
  }
}

function summarize(details: JsonObject, results: Array<object>): void {
  const failed = results.filter((r) => 'error' in r) as Array<{ error: string }>;
  details['count'] = results.length;
  details['failed'] = failed.length;
  if (failed.length) details['errors'] = [...new Set(failed.map((f) => f.error))];
}

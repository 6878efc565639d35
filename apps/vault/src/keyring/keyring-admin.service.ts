import { Inject, Injectable, Logger } from '@nestjs/common';
import { PG_POOL, SERVICE_CONFIG } from '@vigil/service';
import { randomBytes } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import type { Caller } from '../access/vault-gate';
import { auditedChange } from '../audit/audited-operation';
import { VaultAudit } from '../audit/vault-audit';
import { DecryptionError, KEY_BYTES, gcmOpen, gcmSeal, type AesKey } from '../crypto/aes-gcm';
import { KEY_CHECK_AAD, keyringAad, secretAad, transitKeyAad } from '../crypto/associated-data';
import type { VaultConfig } from '../vault.config';
import { badRequest, conflict, integrityFailure } from '../vault.errors';
import { VaultMetrics } from '../vault.metrics';
import { readMasterKey } from './master-key';
import { KEY_CHECK_PLAINTEXT, VaultKeyring } from './vault-keyring';

const KEYRING_LOCK = "select pg_advisory_xact_lock(hashtext('vigil.vault.keyring'))";

/**
 * The operator's keyring actions, each audited in the transaction that makes it:
 * - rotate: a new data-encryption key (keyring v<N+1>) and every stored secret version and
 *   transit key re-sealed under it; older keyring keys are kept, so a row written by a
 *   replica during the rotation still opens.
 * - rekey: the keyring and key check sealed again under a new master key; the data keys and
 *   everything under them are unchanged. The vault must then be given the new master key
 *   (replace the key file, or the variable and restart).
 * Both re-read the current master key from its configured source (it is not kept in memory)
 * and check it against the key check value; every copy is zeroed after use.
 */
@Injectable()
export class KeyringAdmin {
  private readonly logger = new Logger('KeyringAdmin');
  private readonly deps: { pool: Pool; audit: VaultAudit; metrics: VaultMetrics };

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: VaultConfig,
    private readonly keyring: VaultKeyring,
    audit: VaultAudit,
    metrics: VaultMetrics,
  ) {
    this.deps = { pool, audit, metrics };
  }

  async rotate(caller: Caller): Promise<{ keyringVersion: number; resealed: { secretVersions: number; transitKeys: number } }> {
    let adopted: { version: number; key: Buffer } | undefined;
    const result = await auditedChange(this.deps, { actor: caller.actor, action: 'keyring.rotate', resource: 'keyring', traceId: caller.traceId }, async (client, details) => {
      await client.query(KEYRING_LOCK);
      const master = await this.currentMasterKey(client);
      const key = randomBytes(KEY_BYTES);
      try {
        const { rows } = await client.query<{ max: number }>('select max(version) as max from vault.keyring');
        const version = rows[0].max + 1;
        await client.query('insert into vault.keyring (version, wrapped) values ($1, $2)', [version, gcmSeal(master, key, keyringAad(version))]);
        const secretVersions = await this.reseal(client, version, key, 'secret_versions', 'path', secretAad, 'ciphertext is not null', 'ciphertext');
        const transitKeys = await this.reseal(client, version, key, 'transit_key_versions', 'name', transitKeyAad, 'true', 'wrapped');
        // The new key's count starts with what it just sealed.
        await client.query('update vault.keyring set encryptions_reserved = $2 where version = $1', [version, secretVersions + transitKeys]);
        Object.assign(details, { keyringVersion: version, resealedSecretVersions: secretVersions, resealedTransitKeys: transitKeys });
        adopted = { version, key };
        return { keyringVersion: version, resealed: { secretVersions, transitKeys } };
      } catch (error) {
        key.fill(0);
        throw error;
      } finally {
        master.fill(0);
      }
    }).catch((error: unknown) => {
      adopted?.key.fill(0);
      throw error;
    });
    if (adopted) this.keyring.adopt(adopted.version, adopted.key);
    this.logger.log(`keyring rotated to v${result.keyringVersion}; ${result.resealed.secretVersions} secret versions and ${result.resealed.transitKeys} transit keys re-sealed`);
    return result;
  }

  async rekey(caller: Caller, newMasterKeyBase64: unknown): Promise<{ keyringVersions: number }> {
    const parsed = typeof newMasterKeyBase64 === 'string' ? readMasterKey({ VIGIL_VAULT_MASTER_KEY: newMasterKeyBase64 }) : { problem: 'missing' };
    if ('problem' in parsed) throw badRequest('newMasterKey', `must be the base64 of ${KEY_BYTES} random bytes (openssl rand -base64 32)`);
    const next = parsed.key;
    try {
      return await auditedChange(this.deps, { actor: caller.actor, action: 'keyring.rekey', resource: 'keyring', traceId: caller.traceId }, async (client, details) => {
        await client.query(KEYRING_LOCK);
        const master = await this.currentMasterKey(client);
        try {
          if (master.equals(next)) throw conflict('same_master_key', 'the new master key is the current one');
          const { rows } = await client.query<{ version: number; wrapped: Buffer }>('select version, wrapped from vault.keyring order by version for update');
          for (const row of rows) {
            const key = open(master, row.wrapped, keyringAad(row.version), `keyring v${row.version}`);
            try {
              await client.query('update vault.keyring set wrapped = $2 where version = $1', [row.version, gcmSeal(next, key, keyringAad(row.version))]);
            } finally {
              key.fill(0);
            }
          }
          await client.query('update vault.seal_config set key_check = $1', [gcmSeal(next, KEY_CHECK_PLAINTEXT, KEY_CHECK_AAD)]);
          details['keyringVersions'] = rows.length;
          return { keyringVersions: rows.length };
        } finally {
          master.fill(0);
        }
      });
    } finally {
      next.fill(0);
    }
  }

  // The configured master key, checked against the key check value (a key file replaced by a wrong one is refused).
  private async currentMasterKey(client: PoolClient): Promise<Buffer> {
    const read = readMasterKey(this.config);
    if ('problem' in read) throw conflict('master_key_unavailable', `the master key cannot be read again for this operation: ${read.problem}`);
    const { rows } = await client.query<{ key_check: Buffer }>('select key_check from vault.seal_config');
    try {
      gcmOpen(read.key, rows[0].key_check, KEY_CHECK_AAD, 'key check value');
    } catch (error) {
      read.key.fill(0);
      if (error instanceof DecryptionError) throw conflict('wrong_master_key', 'the configured master key no longer opens the keyring (was it rekeyed without updating VIGIL_VAULT_MASTER_KEY / _FILE?)');
      throw error;
    }
    return read.key;
  }

  // Opens each row under its keyring key and seals it under the new one, bound to the same associated data.
  private async reseal(
    client: PoolClient,
    version: number,
    key: Buffer,
    table: 'secret_versions' | 'transit_key_versions',
    idColumn: 'path' | 'name',
    aad: (id: string, v: number) => Buffer,
    where: string,
    column: 'ciphertext' | 'wrapped',
  ): Promise<number> {
    const { rows } = await client.query<{ id: string; version: number; keyring_version: number; sealed: Buffer }>(
      `select ${idColumn} as id, version, keyring_version, ${column} as sealed from vault.${table} where ${where} and keyring_version <> $1 for update`,
      [version],
    );
    for (const row of rows) {
      const what = `${table === 'secret_versions' ? 'secret' : 'transit key'} ${row.id} v${row.version}`;
      const plaintext = open(await this.keyring.keyFor(row.keyring_version), row.sealed, aad(row.id, row.version), what);
      try {
        await client.query(`update vault.${table} set keyring_version = $3, ${column} = $4 where ${idColumn} = $1 and version = $2`, [row.id, row.version, version, gcmSeal(key, plaintext, aad(row.id, row.version))]);
      } finally {
        plaintext.fill(0);
      }
    }
    return rows.length;
  }
}

function open(key: AesKey, sealed: Buffer, aad: Buffer, what: string): Buffer {
  try {
    return gcmOpen(key, sealed, aad, what);
  } catch (error) {
    if (error instanceof DecryptionError) throw integrityFailure(`${what} (found while re-sealing; nothing was changed)`);
    throw error;
  }
}

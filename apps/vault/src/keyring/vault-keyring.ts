import { Inject, Injectable, Logger } from '@nestjs/common';
import { PG_POOL, SERVICE_CONFIG } from '@vigil/service';
import { randomBytes, type KeyObject } from 'node:crypto';
import type { Pool } from 'pg';
import { DecryptionError, KEY_BYTES, gcmOpen, gcmSeal, importKey } from '../crypto/aes-gcm';
import { KEY_CHECK_AAD, keyringAad } from '../crypto/associated-data';
import type { VaultConfig } from '../vault.config';
import { EncryptionCounter, EncryptionLimitReached } from '../transit/encryption-counter';
import { conflict, sealedError } from '../vault.errors';
import { KeyringCounterStore } from './keyring-counter.store';
import { initKeyringOnce, loadKeyring } from './keyring.store';
import { readMasterKey, type MasterKeySource } from './master-key';

// What the key check value seals: any fixed block works; only its tag matters.
export const KEY_CHECK_PLAINTEXT = Buffer.alloc(32);

export type SealStatus = { sealed: true; reason: string } | { sealed: false; keyringVersion: number };

/**
 * The key hierarchy in memory. The master key (from the environment or a file) opens the
 * keyring of data-encryption keys stored sealed in Postgres and is then zeroed; the
 * keyring keys live only in this process, as KeyObjects (see importKey: their raw bytes are
 * zeroed once imported). Until that succeeds the vault is sealed and every operation
 * answers 503 with the reason.
 */
@Injectable()
export class VaultKeyring {
  private readonly logger = new Logger('VaultKeyring');
  private status: SealStatus = { sealed: true, reason: 'starting: the keyring has not been opened yet' };
  private readonly keys = new Map<number, KeyObject>();
  private refreshing?: Promise<void>;
  private readonly counter: EncryptionCounter;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_CONFIG) private readonly config: VaultConfig,
  ) {
    // Small blocks: writes are rare, and a crash over-counts at most one block.
    this.counter = new EncryptionCounter(new KeyringCounterStore(pool), config.VIGIL_VAULT_KEYRING_ENCRYPTION_LIMIT, 100);
  }

  get sealStatus(): SealStatus {
    return this.status;
  }

  /** Reads the master key, creates the keyring if the database has none, opens it. Never throws for a bad key: it seals. */
  async unseal(source: MasterKeySource = this.config): Promise<SealStatus> {
    const master = readMasterKey(source);
    if ('problem' in master) return this.seal(master.problem);
    try {
      const created = await initKeyringOnce(this.pool, () => ({
        keyCheck: gcmSeal(master.key, KEY_CHECK_PLAINTEXT, KEY_CHECK_AAD),
        wrapped: this.wrapNewKey(master.key, 1),
      }));
      if (created) this.logger.log('created the keyring (key check value and data-encryption key v1) under the configured master key');
      const stored = await loadKeyring(this.pool);
      if (!stored.keyCheck) return this.seal('the keyring has no key check value; the seal_config row was removed');
      try {
        gcmOpen(master.key, stored.keyCheck, KEY_CHECK_AAD, 'key check value');
      } catch (error) {
        if (error instanceof DecryptionError) return this.seal('wrong master key: it does not open the key check value the keyring was created with');
        throw error;
      }
      const opened = new Map<number, Buffer>();
      for (const entry of stored.entries) {
        try {
          opened.set(entry.version, gcmOpen(master.key, entry.wrapped, keyringAad(entry.version), `keyring v${entry.version}`));
        } catch (error) {
          for (const key of opened.values()) key.fill(0);
          if (error instanceof DecryptionError) return this.seal(`keyring v${entry.version} does not open under the (correct) master key: its row was modified`);
          throw error;
        }
      }
      if (opened.size === 0) return this.seal('the keyring holds no data-encryption key');
      this.keys.clear();
      for (const [version, key] of opened) this.keys.set(version, importKey(key));
      this.status = { sealed: false, keyringVersion: Math.max(...opened.keys()) };
      this.logger.log(`unsealed: keyring v1..v${this.status.keyringVersion} in memory`);
      return this.status;
    } catch (error) {
      return this.seal(`the keyring could not be read: ${(error as Error).message}`);
    } finally {
      master.key.fill(0);
    }
  }

  /** The keyring key of `version`, or a 503 sealed error. */
  key(version: number): KeyObject {
    this.assertUnsealed();
    const key = this.keys.get(version);
    if (!key) throw sealedError(`keyring v${version} is not loaded (created by another replica after this one unsealed?); restart to reload`);
    return key;
  }

  /**
   * The keyring key of `version`, loading keyring versions another replica created since
   * this one unsealed (its rotation): the master key is re-read from its source for that,
   * checked and zeroed. A version that is still missing is a 503 sealed error naming it.
   */
  async keyFor(version: number): Promise<KeyObject> {
    this.assertUnsealed();
    if (!this.keys.has(version)) {
      this.refreshing ??= this.loadNewVersions().finally(() => (this.refreshing = undefined));
      await this.refreshing;
    }
    return this.key(version);
  }

  private async loadNewVersions(): Promise<void> {
    const master = readMasterKey(this.config);
    if ('problem' in master) {
      this.logger.error(`cannot load new keyring versions: ${master.problem}`);
      return;
    }
    try {
      const stored = await loadKeyring(this.pool);
      if (!stored.keyCheck) return;
      try {
        gcmOpen(master.key, stored.keyCheck, KEY_CHECK_AAD, 'key check value');
      } catch (error) {
        if (error instanceof DecryptionError) this.logger.error('cannot load new keyring versions: the configured master key no longer opens the keyring (rekeyed? update VIGIL_VAULT_MASTER_KEY / _FILE)');
        else throw error;
        return;
      }
      for (const entry of stored.entries) {
        if (this.keys.has(entry.version) || this.status.sealed) continue;
        try {
          this.adopt(entry.version, gcmOpen(master.key, entry.wrapped, keyringAad(entry.version), `keyring v${entry.version}`));
          this.logger.log(`loaded keyring v${entry.version} (created by another replica)`);
        } catch (error) {
          if (!(error instanceof DecryptionError)) throw error;
          this.logger.error(`keyring v${entry.version} does not open under the master key: its row was modified`);
        }
      }
    } finally {
      master.key.fill(0);
    }
  }

  /**
   * The keyring key new data is sealed with, after counting `count` encryptions against it;
   * past VIGIL_VAULT_KEYRING_ENCRYPTION_LIMIT: 409 rotation_required (rotate the keyring).
   */
  async current(count = 1): Promise<{ version: number; key: KeyObject }> {
    const { keyringVersion: version } = this.assertUnsealed();
    try {
      await this.counter.take('keyring', version, count);
    } catch (error) {
      if (error instanceof EncryptionLimitReached) {
        throw conflict('rotation_required', `keyring v${version} has sealed its limit of ${error.limit} values (GCM random-nonce safety); rotate the keyring (npx vigil vault rotate) and retry`, { keyringVersion: version, limit: error.limit });
      }
      throw error;
    }
    return { version, key: this.key(version) };
  }

  assertUnsealed(): Extract<SealStatus, { sealed: false }> {
    if (this.status.sealed) throw sealedError(this.status.reason);
    return this.status;
  }

  /** Takes a keyring key created by a rotation (its bytes are imported and zeroed; new data is sealed with the highest version). */
  adopt(version: number, key: Buffer): void {
    const status = this.assertUnsealed();
    this.keys.set(version, importKey(key));
    this.status = { sealed: false, keyringVersion: Math.max(status.keyringVersion, version) };
  }

  /** Forgets the keys (shutdown): nothing else references them, so their native copies are cleansed when collected. */
  sealNow(reason: string): void {
    this.seal(reason);
  }

  private seal(reason: string): SealStatus {
    this.keys.clear();
    this.status = { sealed: true, reason };
    this.logger.error(`vault sealed: ${reason}`);
    return this.status;
  }

  private wrapNewKey(master: Buffer, version: number): Buffer {
    const key = randomBytes(KEY_BYTES);
    try {
      return gcmSeal(master, key, keyringAad(version));
    } finally {
      key.fill(0);
    }
  }
}

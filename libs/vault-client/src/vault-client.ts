import { Secret, secretInternals, type LeaseInfo, type SecretVersion } from './secret';
import { VaultClientError } from './vault-client.errors';
import { VaultHttp, type VaultHttpOptions } from './vault-http';

export interface VaultClientOptions extends VaultHttpOptions {
  /** Renew a lease once this fraction of its remaining time has passed (default 2/3). */
  renewAt?: number;
  /**
   * Renew at least this often (default 5 min), whatever the lease TTL: a rotation or a
   * revocation reaches the service within this time, not only at 2/3 of a long lease.
   */
  maxRenewIntervalMs?: number;
  /** Where renewal problems go (pino's logger fits); values are never passed to it. */
  logger?: { warn(message: string): void; error(message: string): void };
}

/** What GET /v1/secrets/data/<path> answers. */
interface ReadAnswer {
  path: string;
  version: number;
  data: Record<string, string>;
  lease: { id: string; ttlSec: number; expiresAt: string; renewable: boolean };
}

/** What POST /v1/sys/leases/renew answers. */
interface RenewAnswer {
  leaseId: string;
  ttlSec: number;
  expiresAt: string;
  renewable: boolean;
  /** The secret's current version: higher than the one held means it was rotated. */
  currentVersion: number;
}

export interface VaultClient {
  /**
   * Reads a secret (its current version) and keeps it: the lease is renewed in the
   * background, and after a rotation the new version replaces the old one in the same
   * Secret (its onChange listeners are called). Throws VaultClientError.
   */
  readSecret(path: string): Promise<Secret>;
  /** Transit: encrypts under the key's latest version; returns `vigil:v<N>:...`. */
  encrypt(key: string, plaintext: Buffer | string): Promise<string>;
  encryptBatch(key: string, plaintexts: ReadonlyArray<Buffer | string>): Promise<string[]>;
  decrypt(key: string, ciphertext: string): Promise<Buffer>;
  decryptBatch(key: string, ciphertexts: readonly string[]): Promise<Buffer[]>;
  /** Stops renewing, revokes the held leases (best effort) and wipes the values. */
  close(): Promise<void>;
}

export function createVaultClient(options: VaultClientOptions): VaultClient {
  return new HttpVaultClient(options);
}

const RETRY_MIN_MS = 1_000;
const RETRY_MAX_MS = 30_000;

interface Held {
  secret: Secret;
  timer?: NodeJS.Timeout;
  failures: number;
}

class HttpVaultClient implements VaultClient {
  private readonly http: VaultHttp;
  private readonly held = new Set<Held>();
  private readonly renewAt: number;
  private readonly maxRenewIntervalMs: number;
  private closed = false;

  constructor(private readonly options: VaultClientOptions) {
    this.http = new VaultHttp(options);
    this.renewAt = options.renewAt ?? 2 / 3;
    this.maxRenewIntervalMs = options.maxRenewIntervalMs ?? 300_000;
  }

  async readSecret(path: string): Promise<Secret> {
    this.assertOpen();
    const first = await this.fetchSecret(path);
    const held: Held = { secret: new Secret(path, first), failures: 0 };
    this.held.add(held);
    this.schedule(held, first.lease);
    return held.secret;
  }

  async encrypt(key: string, plaintext: Buffer | string): Promise<string> {
    return (await this.encryptBatch(key, [plaintext]))[0];
  }

  async encryptBatch(key: string, plaintexts: ReadonlyArray<Buffer | string>): Promise<string[]> {
    this.assertOpen();
    const batch = plaintexts.map((p) => ({ plaintext: (typeof p === 'string' ? Buffer.from(p, 'utf8') : p).toString('base64') }));
    const answer = await this.http.call<{ batch: Array<{ ciphertext?: string; error?: string; message?: string }> }>('POST', `/v1/transit/encrypt/${encodeURIComponent(key)}`, `transit-key:${key}`, { batch });
    return answer.batch.map((item, i) => itemOrThrow(item, i, key).ciphertext as string);
  }

  async decrypt(key: string, ciphertext: string): Promise<Buffer> {
    return (await this.decryptBatch(key, [ciphertext]))[0];
  }

  async decryptBatch(key: string, ciphertexts: readonly string[]): Promise<Buffer[]> {
    this.assertOpen();
    const answer = await this.http.call<{ batch: Array<{ plaintext?: string; error?: string; message?: string }> }>('POST', `/v1/transit/decrypt/${encodeURIComponent(key)}`, `transit-key:${key}`, {
      batch: ciphertexts.map((ciphertext) => ({ ciphertext })),
    });
    return answer.batch.map((item, i) => Buffer.from(itemOrThrow(item, i, key).plaintext as string, 'base64'));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const held = [...this.held];
    this.held.clear();
    for (const h of held) clearTimeout(h.timer);
    await Promise.all(
      held.map(async (h) => {
        try {
          await this.http.call('POST', '/v1/sys/leases/revoke', h.secret.path, { leaseId: h.secret.lease.id });
        } catch {
          // The lease expires by itself; a vault that is down at shutdown must not block it.
        } finally {
          secretInternals.wipe(h.secret);
        }
      }),
    );
  }

  private async fetchSecret(path: string, leaseId?: string): Promise<SecretVersion> {
    const answer = await this.http.call<ReadAnswer>('GET', `/v1/secrets/data/${path}`, path, undefined, leaseId ? { 'x-vigil-lease': leaseId } : {});
    return { version: answer.version, data: answer.data, lease: toLease(answer.lease) };
  }

  private schedule(held: Held, lease: LeaseInfo, delayMs?: number): void {
    if (this.closed) return;
    const wait = delayMs ?? Math.min(this.maxRenewIntervalMs, Math.max(0, (lease.expiresAt.getTime() - Date.now()) * this.renewAt));
    held.timer = setTimeout(() => void this.refresh(held), wait);
    held.timer.unref();
  }

  /**
   * Renews the lease; a newer version (rotation) is read under the same lease. A lease that
   * expired, was revoked or reached its maximum lifetime is replaced by a fresh read.
   */
  private async refresh(held: Held): Promise<void> {
    const { secret } = held;
    try {
      let next: SecretVersion;
      if (!secret.lease.renewable) {
        next = await this.fetchSecret(secret.path);
      } else {
        try {
          const renewed = await this.http.call<RenewAnswer>('POST', '/v1/sys/leases/renew', secret.path, { leaseId: secret.lease.id });
          const lease = toLease({ id: renewed.leaseId, ttlSec: renewed.ttlSec, expiresAt: renewed.expiresAt, renewable: renewed.renewable });
          next = renewed.currentVersion !== secret.version ? await this.fetchSecret(secret.path, lease.id) : { version: secret.version, data: {}, lease };
        } catch (error) {
          if (!(error instanceof VaultClientError) || !['lease_expired', 'lease_revoked', 'not_found'].includes(error.code)) throw error;
          this.options.logger?.warn(`vault lease of ${secret.path} ${error.code === 'not_found' ? 'is unknown' : error.code.replace('_', ' ')}; reading the secret again`);
          next = await this.fetchSecret(secret.path);
        }
      }
      if (this.closed) return;
      if (next.version !== secret.version) this.options.logger?.warn(`vault secret ${secret.path} rotated: v${secret.version} -> v${next.version}`);
      secretInternals.replace(secret, next, (error) => this.options.logger?.error(`vault: a listener of ${secret} failed after the rotation: ${(error as Error)?.message ?? String(error)}`));
      held.failures = 0;
      this.schedule(held, next.lease);
    } catch (error) {
      if (this.closed) return;
      held.failures++;
      const delay = Math.min(RETRY_MIN_MS * 2 ** (held.failures - 1), RETRY_MAX_MS);
      this.options.logger?.error(`vault: keeping ${secret} after a failed renewal (${(error as Error).message}); retry in ${delay} ms`);
      this.schedule(held, secret.lease, delay);
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new VaultClientError('invalid_request', 'the vault client is closed');
  }
}

// The expiry on this host's clock, from the TTL the vault answered (its own expiresAt is on the vault's clock).
function toLease(raw: { id: string; ttlSec: number; expiresAt: string; renewable: boolean }): LeaseInfo {
  const ttlMs = Number.isFinite(raw.ttlSec) ? raw.ttlSec * 1000 : new Date(raw.expiresAt).getTime() - Date.now();
  return { id: raw.id, expiresAt: new Date(Date.now() + ttlMs), renewable: raw.renewable };
}

function itemOrThrow<T extends { error?: string; message?: string }>(item: T, index: number, key: string): T {
  if (item.error) throw new VaultClientError(item.error === 'key_version_retired' || item.error === 'decryption_failed' ? 'invalid_request' : 'server_error', `transit-key:${key}: batch[${index}]: ${item.error}: ${item.message}`, `transit-key:${key}`, 200, item.error);
  return item;
}

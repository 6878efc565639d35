import { Inject, Injectable } from '@nestjs/common';
import { createTokenVerifier, generateSigningKey, withVerifiedTokenCache, type CachingTokenVerifier, type SigningKey } from '@vigil/auth';
import type { JWK } from 'jose';
import type { Pool } from 'pg';
import { SEED_CIPHER, type SeedCipher } from '../crypto/seed-cipher';
import { AUTH_DB } from '../store/auth-db.provider';

interface KeySet {
  active: SigningKey;
  /** Active first, then the previous key: what the JWKS publishes. */
  published: JWK[];
  loadedAt: number;
}

// Another replica may have rotated: reread the table at most this often.
const RELOAD_MS = 30_000;

/**
 * The gateway's Ed25519 signing keys: one active (signs), one previous (still published,
 * so tokens it signed keep verifying until they expire: rotation logs nobody out).
 * Private halves are stored encrypted by the SeedCipher, bound to their kid.
 */
@Injectable()
export class SigningKeysService {
  private current?: Promise<KeySet>;
  private verifierFor?: { set: KeySet; verifier: CachingTokenVerifier };

  constructor(
    @Inject(AUTH_DB) private readonly pool: Pool,
    @Inject(SEED_CIPHER) private readonly cipher: SeedCipher,
  ) {}

  async activeKey(): Promise<SigningKey> {
    return (await this.keySet()).active;
  }

  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.keySet()).published };
  }

  /** Makes a new active key; the active one becomes previous, the previous one is retired. */
  async rotate(): Promise<{ kid: string; previousKid?: string }> {
    const key = await generateSigningKey();
    const ciphertext = await this.cipher.encrypt(Buffer.from(JSON.stringify(key.privateJwk)), `signing-key:${key.kid}`);
    const client = await this.pool.connect();
    let previousKid: string | undefined;
    try {
      await client.query('begin');
      await client.query(`lock table auth.signing_keys in exclusive mode`);
      await client.query(`update auth.signing_keys set status = 'retired', retired_at = now() where status = 'previous'`);
      const { rows } = await client.query<{ kid: string }>(`update auth.signing_keys set status = 'previous' where status = 'active' returning kid`);
      previousKid = rows[0]?.kid;
      await client.query(`insert into auth.signing_keys (kid, public_jwk, private_jwk_ciphertext, status) values ($1, $2, $3, 'active')`, [key.kid, key.publicJwk, ciphertext]);
      await client.query('commit');
    } catch (error) {
      await client.query('rollback').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
    this.current = undefined;
    return { kid: key.kid, previousKid };
  }

  /** A verifier over the keys published now (for the gateway's own guarded routes). */
  async verifier(issuer: string, audience: string): Promise<CachingTokenVerifier> {
    const set = await this.keySet();
    // A new key set (rotation, or the periodic reread) starts a new cache of verified tokens.
    if (this.verifierFor?.set !== set) this.verifierFor = { set, verifier: withVerifiedTokenCache(createTokenVerifier({ issuer, audience, keys: { jwks: { keys: set.published } } })) };
    return this.verifierFor.verifier;
  }

  private keySet(): Promise<KeySet> {
    const cached = this.current;
    if (cached) {
      return cached.then((set) => (Date.now() - set.loadedAt < RELOAD_MS ? set : this.reload()));
    }
    return this.reload();
  }

  private reload(): Promise<KeySet> {
    const loading = this.load().catch((error: unknown) => {
      if (this.current === loading) this.current = undefined;
      throw error;
    });
    this.current = loading;
    return loading;
  }

  private async load(): Promise<KeySet> {
    let rows = await this.rows();
    if (!rows.some((r) => r.status === 'active')) {
      // First start: make the first key. A replica doing the same at once wins the unique index
      // (23505): reread. Anything else (no seed key: 503) is the answer.
      await this.rotate().catch((error: unknown) => {
        if ((error as { code?: string }).code !== '23505') throw error;
      });
      rows = await this.rows();
    }
    const activeRow = rows.find((r) => r.status === 'active');
    if (!activeRow) throw new Error('auth.signing_keys: no active signing key after creating one');
    const privateJwk = JSON.parse((await this.cipher.decrypt(activeRow.ciphertext, `signing-key:${activeRow.kid}`)).toString('utf8')) as JWK;
    const active: SigningKey = { kid: activeRow.kid, privateJwk, publicJwk: activeRow.publicJwk };
    const published = [activeRow, ...rows.filter((r) => r.status === 'previous')].map((r) => r.publicJwk);
    return { active, published, loadedAt: Date.now() };
  }

  private async rows(): Promise<Array<{ kid: string; publicJwk: JWK; ciphertext: string; status: string }>> {
    const { rows } = await this.pool.query<{ kid: string; publicJwk: JWK; ciphertext: string; status: string }>(
      `select kid, public_jwk as "publicJwk", private_jwk_ciphertext as ciphertext, status from auth.signing_keys where status in ('active', 'previous')`,
    );
    return rows;
  }
}

import type { SigningKey } from '@vigil/auth';
import type { JWK } from 'jose';
import type { Pool } from 'pg';
import { LocalSeedCipher } from '../crypto/seed-cipher';

// Shared by the gateway's integration tests and benchmarks: what they need to stand where a
// logged-in user or an operator stands, against the real database.

/** Polls until `probe` gives a value (every 100 ms), else fails naming what it waited for. */
export async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, tries = 200): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** The gateway's active signing key, opened with the seed key: for tokens a test signs as the gateway would. */
export async function activeSigningKey(pool: Pool, seedKey: Buffer): Promise<Pick<SigningKey, 'kid' | 'privateJwk'>> {
  const row = (await pool.query(`select kid, private_jwk_ciphertext as c from auth.signing_keys where status = 'active'`)).rows[0];
  const privateJwk = JSON.parse((await new LocalSeedCipher(seedKey).decrypt(row.c, `signing-key:${row.kid}`)).toString()) as JWK;
  return { kid: row.kid, privateJwk };
}

/** A live session row for a token the test signs itself (the gateway refuses user tokens of ended sessions). */
export async function liveSession(pool: Pool, userId: string, sessionId: string): Promise<string> {
  await pool.query(`insert into auth.sessions (id, user_id, auth_time, amr, expires_at) values ($1, $2, now(), '{pwd,otp}', now() + interval '1 hour')`, [sessionId, userId]);
  return sessionId;
}

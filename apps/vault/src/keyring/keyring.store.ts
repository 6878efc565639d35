import type { Pool, PoolClient } from 'pg';

export interface StoredKeyring {
  keyCheck: Buffer | undefined;
  entries: Array<{ version: number; wrapped: Buffer }>;
}

export async function loadKeyring(pool: Pool): Promise<StoredKeyring> {
  const check = await pool.query<{ key_check: Buffer }>('select key_check from vault.seal_config');
  const rows = await pool.query<{ version: number; wrapped: Buffer }>('select version, wrapped from vault.keyring order by version');
  return { keyCheck: check.rows[0]?.key_check, entries: rows.rows };
}

/**
 * Creates the keyring (key check value and first data-encryption key) unless another
 * replica just did; `build` runs only when the keyring is still empty, under a lock.
 */
export async function initKeyringOnce(pool: Pool, build: () => { keyCheck: Buffer; wrapped: Buffer }): Promise<boolean> {
  const client: PoolClient = await pool.connect();
  try {
    await client.query('begin');
    await client.query("select pg_advisory_xact_lock(hashtext('vigil.vault.keyring-init'))");
    const existing = await client.query('select 1 from vault.seal_config');
    if (existing.rowCount) {
      await client.query('rollback');
      return false;
    }
    const { keyCheck, wrapped } = build();
    await client.query('insert into vault.seal_config (key_check) values ($1)', [keyCheck]);
    await client.query('insert into vault.keyring (version, wrapped) values (1, $1)', [wrapped]);
    await client.query('commit');
    return true;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

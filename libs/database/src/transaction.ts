import type { Pool, PoolClient } from 'pg';

/**
 * Runs `fn` on one client inside one transaction: committed when it resolves, rolled back
 * when it throws (the error is rethrown). Services put an audit event's produce inside it
 * where a write whose audit fails must not stand.
 */
export async function inTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    const result = await fn(client);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

import type { Pool } from 'pg';
import type { CounterStore } from './encryption-counter';

/** Reservations in vault.transit_key_versions.encryptions_reserved: one row lock, never past the limit. */
export class PostgresCounterStore implements CounterStore {
  constructor(private readonly pool: Pool) {}

  async reserve(key: string, version: number, want: number, limit: number): Promise<number> {
    const { rows } = await this.pool.query<{ added: string }>(
      `with before as (select encryptions_reserved as n from vault.transit_key_versions where name = $1 and version = $2 for update)
       update vault.transit_key_versions v set encryptions_reserved = least(before.n + $3, $4)
         from before where v.name = $1 and v.version = $2
       returning v.encryptions_reserved - before.n as added`,
      [key, version, want, limit],
    );
    return rows[0] ? Math.max(0, Number(rows[0].added)) : 0;
  }
}

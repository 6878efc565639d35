import type { Pool } from 'pg';
import type { CounterStore } from '../transit/encryption-counter';

/** Reservations in vault.keyring.encryptions_reserved (the `key` argument is unused: one keyring). */
export class KeyringCounterStore implements CounterStore {
  constructor(private readonly pool: Pool) {}

  async reserve(_key: string, version: number, want: number, limit: number): Promise<number> {
    const { rows } = await this.pool.query<{ added: string }>(
      `with before as (select encryptions_reserved as n from vault.keyring where version = $1 for update)
       update vault.keyring k set encryptions_reserved = least(before.n + $2, $3)
         from before where k.version = $1
       returning k.encryptions_reserved - before.n as added`,
      [version, want, limit],
    );
    return rows[0] ? Math.max(0, Number(rows[0].added)) : 0;
  }
}

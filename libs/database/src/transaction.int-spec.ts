import { Pool } from 'pg';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@vigil/testing';
import { inTransaction } from './transaction';

describe('inTransaction (real Postgres)', () => {
  let db: ThrowawayDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createThrowawayDatabase();
    pool = new Pool({ connectionString: db.url, max: 2 });
    await pool.query('create table t (id int primary key)');
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('commits what fn wrote and returns its result', async () => {
    await expect(inTransaction(pool, async (c) => (await c.query('insert into t values (1) returning id')).rows[0].id)).resolves.toBe(1);
    expect((await pool.query('select count(*)::int as n from t')).rows[0].n).toBe(1);
  });

  it('rolls everything back and rethrows when fn fails after writing', async () => {
    const failure = new Error('audit could not be produced');
    await expect(
      inTransaction(pool, async (c) => {
        await c.query('insert into t values (2)');
        throw failure;
      }),
    ).rejects.toBe(failure);
    expect((await pool.query('select array_agg(id order by id) as ids from t')).rows[0].ids).toEqual([1]);
    expect(pool.idleCount + pool.waitingCount).toBeLessThanOrEqual(2);
  });
});

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { createThrowawayDatabase, type ThrowawayDatabase } from '@vigil/testing';
import { migrate, MigrationError } from './migrations';

describe('migrate (real Postgres)', () => {
  let db: ThrowawayDatabase;
  let pool: Pool;
  let dir: string;

  beforeAll(async () => {
    db = await createThrowawayDatabase();
    pool = new Pool({ connectionString: db.url, max: 4 });
  });
  afterAll(async () => {
    await pool.end();
    await db.drop();
  });
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'vigil-migrations-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('applies pending files in order inside the schema, once', async () => {
    await writeFile(path.join(dir, '0001_entries.sql'), 'create table entries (id bigint primary key);');
    await writeFile(path.join(dir, '0002_seed.sql'), 'insert into entries values (1), (2);');

    expect(await migrate({ pool, schema: 'svc_a', dir })).toEqual(['0001_entries.sql', '0002_seed.sql']);
    expect(await migrate({ pool, schema: 'svc_a', dir })).toEqual([]);

    const { rows } = await pool.query('select count(*)::int as n from svc_a.entries');
    expect(rows[0].n).toBe(2);
  });

  it('leaves nothing behind when a migration fails, and names it', async () => {
    await writeFile(path.join(dir, '0001_ok.sql'), 'create table ok (id int);');
    await writeFile(path.join(dir, '0002_broken.sql'), 'create table half (id int); select no_such_function();');

    await expect(migrate({ pool, schema: 'svc_b', dir })).rejects.toThrow(/0002_broken\.sql failed/);

    const { rows } = await pool.query(
      `select table_name from information_schema.tables where table_schema = 'svc_b' order by table_name`,
    );
    expect(rows.map((r) => r.table_name)).toEqual(['ok', 'schema_migrations']);
  });

  it('refuses to start when an applied migration was edited or removed', async () => {
    const file = path.join(dir, '0001_t.sql');
    await writeFile(file, 'create table t (id int);');
    await migrate({ pool, schema: 'svc_c', dir });

    await writeFile(file, 'create table t (id bigint);');
    await expect(migrate({ pool, schema: 'svc_c', dir })).rejects.toThrow(/0001_t\.sql changed after it was applied/);

    await rm(file);
    await expect(migrate({ pool, schema: 'svc_c', dir })).rejects.toThrow(MigrationError);
  });

  it('lets concurrent replicas start together: each file runs exactly once', async () => {
    await writeFile(path.join(dir, '0001_counter.sql'), 'create table runs (n int); insert into runs values (1);');
    const results = await Promise.all([1, 2, 3].map(() => migrate({ pool, schema: 'svc_d', dir })));

    expect(results.flat()).toEqual(['0001_counter.sql']);
    const { rows } = await pool.query('select count(*)::int as n from svc_d.runs');
    expect(rows[0].n).toBe(1);
  });

  it('rejects unsafe schema names and badly named files', async () => {
    await expect(migrate({ pool, schema: 'x; drop table y', dir })).rejects.toThrow(/lower-case SQL identifier/);
    await writeFile(path.join(dir, 'init.sql'), 'select 1;');
    await expect(migrate({ pool, schema: 'svc_e', dir })).rejects.toThrow(/must be named NNNN_lower_case_name\.sql/);
  });
});

// libs/testing's helpers against the real Postgres and Redis.
import Redis from 'ioredis';
import { Client, Pool } from 'pg';
import { assertInfraUp } from './assert-infra-up';
import type { InfraEnv } from './infra-env';
import { deleteRedisKeysByPrefix } from './redis-keys';
import { createThrowawayDatabase, createThrowawaySchema } from './throwaway-database';
import { testPrefix } from './unique-id';

let infra: InfraEnv;

beforeAll(async () => {
  infra = await assertInfraUp({ servers: ['postgres', 'redis'] });
});

async function query<T extends object>(url: string, sql: string): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

describe('createThrowawayDatabase', () => {
  it('creates an empty database usable at its URL, and drop() removes it even with a connection open', async () => {
    const db = await createThrowawayDatabase(infra.databaseUrl);
    expect(db.name).toMatch(/^vigil_t[a-z0-9]{8}$/);
    const [row] = await query<{ current_database: string }>(db.url, 'select current_database()');
    expect(row?.current_database).toBe(db.name);

    const lingering = new Client({ connectionString: db.url });
    await lingering.connect();
    lingering.on('error', () => undefined); // terminated by drop(... with (force))
    await db.drop();
    const left = await query(infra.databaseUrl, `select 1 from pg_database where datname = '${db.name}'`);
    expect(left).toHaveLength(0);
    await lingering.end().catch(() => undefined);
  });

  it('lets a pool that was just ended close its sessions rather than terminating them under it', async () => {
    const db = await createThrowawayDatabase(infra.databaseUrl);
    const pool = new Pool({ connectionString: db.url, max: 4 });
    const errors: Error[] = [];
    pool.on('error', (error) => errors.push(error));
    await Promise.all([1, 2, 3, 4].map(() => pool.query('select pg_sleep(0.05)')));
    await pool.end();
    await db.drop();
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(errors.map((error) => error.message)).toEqual([]);
  });
});

describe('createThrowawaySchema', () => {
  it('gives a URL whose unqualified tables live in the new schema, and drops it with them', async () => {
    const schema = await createThrowawaySchema(infra.databaseUrl);
    try {
      await query(schema.url, 'create table probe (id int)');
      const tables = await query<{ table_schema: string }>(infra.databaseUrl, `select table_schema from information_schema.tables where table_name = 'probe' and table_schema = '${schema.schema}'`);
      expect(tables).toEqual([{ table_schema: schema.schema }]);
    } finally {
      await schema.drop();
    }
    const left = await query(infra.databaseUrl, `select 1 from information_schema.schemata where schema_name = '${schema.schema}'`);
    expect(left).toHaveLength(0);
  });
});

describe('deleteRedisKeysByPrefix', () => {
  it('deletes every key under the prefix and nothing else', async () => {
    const prefix = testPrefix();
    const other = testPrefix();
    const redis = new Redis(infra.redisUrl);
    try {
      const keys = Array.from({ length: 1200 }, (_, i) => `${prefix}k${i}`);
      await redis.mset(...keys.flatMap((k) => [k, '1']), `${other}keep`, '1');
      expect(await deleteRedisKeysByPrefix(prefix, redis)).toBe(1200);
      expect(await redis.exists(keys[0] as string, keys[1199] as string)).toBe(0);
      expect(await redis.get(`${other}keep`)).toBe('1');
    } finally {
      await redis.del(`${other}keep`);
      redis.disconnect();
    }
  });
});

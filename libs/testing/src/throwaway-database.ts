import { Client } from 'pg';
import { infraEnv } from './infra-env';
import { uniqueId } from './unique-id';

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

/** A Postgres identifier we create and later drop, checked so it needs no quoting rules. */
export function assertIdentifier(kind: string, name: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`${kind} name must be 1-63 lowercase letters, digits or _ and not start with a digit, got ${JSON.stringify(name)}`);
  }
  return name;
}

/** `url` pointing at database `name` on the same server, with the same credentials. */
export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${assertIdentifier('database', name)}`;
  return parsed.toString();
}

/** `url` whose connections use `schema` first (libpq `options=-c search_path=...`, which node-postgres honours). */
export function withSearchPath(url: string, schema: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', `-c search_path=${assertIdentifier('schema', schema)}`);
  return parsed.toString();
}

async function withClient<T>(url: string, fn: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export interface ThrowawayDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/**
 * A new empty database on the server of `baseUrl` (default VIGIL_DATABASE_URL), for
 * one test file: migrations run in it, and drop() removes it with its connections.
 */
export async function createThrowawayDatabase(baseUrl: string = infraEnv().databaseUrl, prefix = 'vigil_t'): Promise<ThrowawayDatabase> {
  const name = assertIdentifier('database', `${prefix}${uniqueId(8)}`);
  const adminUrl = withDatabase(baseUrl, 'postgres');
  await withClient(adminUrl, (c) => c.query(`create database ${name}`));
  return {
    name,
    url: withDatabase(baseUrl, name),
    drop: async () => {
      await withClient(adminUrl, async (c) => {
        await waitForSessionsToLeave(c, name);
        await c.query(`drop database if exists ${name} with (force)`);
      });
    },
  };
}

/**
 * pg-pool's end() resolves once it has *asked* its clients to close, not when their
 * backends have gone. Forcing the drop at that moment terminates backends that were
 * about to leave, and the FATAL 57P01 lands on a closing client whose pool no longer has
 * anyone listening: an unhandled 'error' in whichever test file runs next. So give
 * closing sessions a moment to leave; only what is still there after that is forced.
 */
async function waitForSessionsToLeave(admin: Client, database: string, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await admin.query<{ n: number }>('select count(*)::int as n from pg_stat_activity where datname = $1', [database]);
    if (rows[0]!.n === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface ThrowawaySchema {
  schema: string;
  /** The database URL with search_path set to the schema. */
  url: string;
  drop(): Promise<void>;
}

/** A new schema in the database of `databaseUrl`: lighter than a database when a test needs only tables. */
export async function createThrowawaySchema(databaseUrl: string = infraEnv().databaseUrl, prefix = 't_'): Promise<ThrowawaySchema> {
  const schema = assertIdentifier('schema', `${prefix}${uniqueId(8)}`);
  await withClient(databaseUrl, (c) => c.query(`create schema ${schema}`));
  return {
    schema,
    url: withSearchPath(databaseUrl, schema),
    drop: async () => {
      await withClient(databaseUrl, (c) => c.query(`drop schema if exists ${schema} cascade`));
    },
  };
}

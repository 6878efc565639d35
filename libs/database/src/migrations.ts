import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { Pool, PoolClient } from 'pg';
import { Umzug, type UmzugStorage } from 'umzug';

export interface MigrateOptions {
  pool: Pool;
  /** The service's own Postgres schema; created if missing. Migrations run with it as search_path. */
  schema: string;
  /** Folder of `NNNN_name.sql` files, applied in file-name order. */
  dir: string;
  logger?: { info(obj: object, msg: string): void };
}

/** An applied migration's file changed, was removed, or a name is unusable: fix the files, never the table. */
export class MigrationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MigrationError';
  }
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
const FILE_NAME = /^\d{4}_[a-z0-9_]+\.sql$/;

/**
 * Applies a service's pending SQL migrations, forward only (an append-only audit log has
 * no "down"). Each file runs in its own transaction together with its row in
 * `<schema>.schema_migrations`, so a crash leaves it applied or not, never half. A
 * session advisory lock keyed by the schema lets several replicas start at once: one
 * migrates, the others wait and then find nothing to do. A file whose checksum differs
 * from the one recorded when it was applied stops start-up: history is not rewritten.
 *
 * Umzug orders and tracks the migrations; the storage and transaction handling are ours
 * because they must share the migration's own transaction.
 */
export async function migrate(options: MigrateOptions): Promise<string[]> {
  const { pool, schema, dir } = options;
  if (!SCHEMA_NAME.test(schema)) {
    throw new MigrationError(`schema "${schema}" must be a lower-case SQL identifier ([a-z_][a-z0-9_]*)`);
  }
  const files = await migrationFiles(dir);
  const client = await pool.connect();
  try {
    await client.query('select pg_advisory_lock(hashtext($1))', [`vigil.migrations.${schema}`]);
    await client.query(`create schema if not exists ${schema}`);
    await client.query(
      `create table if not exists ${schema}.schema_migrations (
         name text primary key, sha256 text not null, applied_at timestamptz not null default now())`,
    );
    const applied = await appliedChecksums(client, schema);
    checkHistory(files, applied);

    const storage: UmzugStorage = {
      executed: async () => [...applied.keys()],
      // The row is written inside the migration's transaction (below).
      logMigration: async () => undefined,
      unlogMigration: async () => {
        throw new MigrationError('migrations are forward-only');
      },
    };
    const umzug = new Umzug({
      storage,
      logger: undefined,
      migrations: files.map((file) => ({
        name: file.name,
        up: () => applyInTransaction(client, schema, file),
      })),
    });
    const done = await umzug.up();
    for (const migration of done) options.logger?.info({ schema, migration: migration.name }, 'migration applied');
    return done.map((migration) => migration.name);
  } finally {
    await client.query('select pg_advisory_unlock(hashtext($1))', [`vigil.migrations.${schema}`]).catch(() => undefined);
    client.release();
  }
}

interface MigrationFile {
  name: string;
  sql: string;
  sha256: string;
}

async function migrationFiles(dir: string): Promise<MigrationFile[]> {
  const names = (await readdir(dir)).filter((name) => name.endsWith('.sql')).sort();
  const files: MigrationFile[] = [];
  for (const name of names) {
    if (!FILE_NAME.test(name)) {
      throw new MigrationError(`migration file "${name}" in ${dir} must be named NNNN_lower_case_name.sql`);
    }
    const sql = await readFile(path.join(dir, name), 'utf8');
    files.push({ name, sql, sha256: createHash('sha256').update(sql).digest('hex') });
  }
  return files;
}

async function appliedChecksums(client: PoolClient, schema: string): Promise<Map<string, string>> {
  const { rows } = await client.query<{ name: string; sha256: string }>(
    `select name, sha256 from ${schema}.schema_migrations order by name`,
  );
  return new Map(rows.map((row) => [row.name, row.sha256]));
}

function checkHistory(files: MigrationFile[], applied: Map<string, string>): void {
  const byName = new Map(files.map((file) => [file.name, file]));
  for (const [name, sha256] of applied) {
    const file = byName.get(name);
    if (!file) throw new MigrationError(`migration ${name} was applied but its file is gone; restore it`);
    if (file.sha256 !== sha256) {
      throw new MigrationError(`migration ${name} changed after it was applied; add a new migration instead`);
    }
  }
}

async function applyInTransaction(client: PoolClient, schema: string, file: MigrationFile): Promise<void> {
  await client.query('begin');
  try {
    await client.query(`set local search_path to ${schema}, public`);
    await client.query(file.sql);
    await client.query(`insert into ${schema}.schema_migrations (name, sha256) values ($1, $2)`, [file.name, file.sha256]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw new MigrationError(`migration ${file.name} failed: ${(error as Error).message}`);
  }
}

/**
 * `apps/<service>/migrations`, found by walking up from a directory of that service's code:
 * its sources (`apps/<service>/src/...`), its build (`dist/apps/<service>/src/...`) or an
 * image that ships the folder beside `dist/` all lead to it.
 */
export function serviceMigrationsDir(service: string, fromDir: string): string {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'apps', service, 'migrations');
    if (existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new MigrationError(`apps/${service}/migrations not found in any folder above ${fromDir}`);
  }
}

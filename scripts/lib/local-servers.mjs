// Postgres and Redis are the machine's own servers: check they answer, start them if
// they are installed but down, name what is missing otherwise.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { InfraError, have, waitFor } from './proc.mjs';

export const POSTGRES_ADMIN_URL = process.env.VIGIL_POSTGRES_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const REDIS_URL = process.env.VIGIL_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const VIGIL_DATABASES = ['vigil', 'apicurio'];

async function withPg(url, fn) {
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end().catch(() => {});
  }
}

export async function postgresAnswers() {
  try {
    return await withPg(POSTGRES_ADMIN_URL, async (c) => (await c.query('show server_version')).rows[0].server_version);
  } catch {
    return undefined;
  }
}

function startPostgres() {
  if (!have('pg_ctlcluster') || !fs.existsSync('/etc/postgresql')) {
    throw new InfraError(
      'postgres: nothing answers on 127.0.0.1:5432 and PostgreSQL is not installed (no pg_ctlcluster / /etc/postgresql). Install it: apt-get install -y postgresql',
    );
  }
  const version = fs.readdirSync('/etc/postgresql').sort().at(-1);
  console.log(`postgres: down; starting cluster ${version}/main`);
  const run = spawnSync('pg_ctlcluster', ['--skip-systemctl-redirect', version, 'main', 'start'], { encoding: 'utf8' });
  if (run.status !== 0) throw new InfraError(`postgres: pg_ctlcluster ${version} main start failed:\n${(run.stdout + run.stderr).trim()}`);
}

/** Makes sure Postgres answers and Vigil's databases exist. */
export async function postgresUp() {
  let version = await postgresAnswers();
  let started = false;
  if (!version) {
    startPostgres();
    started = true;
    const ready = await waitFor(postgresAnswers, { timeoutMs: 30_000, intervalMs: 500 });
    if (!ready.ok) throw new InfraError(`postgres: started but does not answer on ${POSTGRES_ADMIN_URL} (${ready.reason}); see /var/log/postgresql/`);
    version = ready.result;
  }
  const created = await withPg(POSTGRES_ADMIN_URL, async (client) => {
    const made = [];
    for (const db of VIGIL_DATABASES) {
      const exists = await client.query('select 1 from pg_database where datname = $1', [db]);
      if (exists.rowCount === 0) {
        try {
          await client.query(`create database "${db}"`);
          made.push(db);
        } catch (err) {
          // Two `infra up` at once: the other one created it first.
          if (err.code !== '42P04' && err.code !== '23505') throw err;
        }
      }
    }
    return made;
  });
  return { version, started, created };
}

export async function redisAnswers() {
  const { default: Redis } = await import('ioredis');
  const redis = new Redis(REDIS_URL, { lazyConnect: true, connectTimeout: 2000, maxRetriesPerRequest: 0, retryStrategy: () => null, enableOfflineQueue: false });
  redis.on('error', () => {});
  try {
    await redis.connect();
    const info = await redis.info('server');
    return /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown';
  } catch {
    return undefined;
  } finally {
    redis.disconnect();
  }
}

export async function redisUp() {
  let version = await redisAnswers();
  if (version) return { version, started: false };
  if (!have('redis-server')) {
    throw new InfraError(`redis: nothing answers on ${REDIS_URL} and redis-server is not installed. Install it: apt-get install -y redis-server`);
  }
  console.log('redis: down; starting redis-server on 127.0.0.1:6379');
  fs.mkdirSync('/var/lib/redis', { recursive: true });
  fs.mkdirSync('/var/log/redis', { recursive: true });
  const run = spawnSync(
    'redis-server',
    ['--daemonize', 'yes', '--bind', '127.0.0.1', '-::1', '--port', '6379', '--save', '', '--appendonly', 'no', '--dir', '/var/lib/redis', '--logfile', '/var/log/redis/ci.log'],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new InfraError(`redis: redis-server failed to start:\n${(run.stdout + run.stderr).trim()}`);
  const ready = await waitFor(redisAnswers, { timeoutMs: 15_000, intervalMs: 300 });
  if (!ready.ok) throw new InfraError(`redis: started but does not answer on ${REDIS_URL}; see /var/log/redis/ci.log`);
  version = ready.result;
  return { version, started: true };
}

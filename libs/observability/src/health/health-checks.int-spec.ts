import { createServer } from 'node:net';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { postgresHealthCheck } from './postgres.health';
import { redisHealthCheck } from './redis.health';
import { runHealthChecks } from './run-health-checks';

// Against the local Postgres and Redis (scripts/test.mjs makes sure they run).
const DATABASE_URL = process.env.VIGIL_DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/vigil';
const REDIS_URL = process.env.VIGIL_REDIS_URL || 'redis://127.0.0.1:6379';

/** A port nothing listens on: bound by us a moment ago, then released. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function withPort(url: string, port: number): string {
  const u = new URL(url);
  u.port = String(port);
  return u.toString();
}

describe('dependency health checks against the real servers', () => {
  const pools: Pool[] = [];
  const clients: Redis[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.end()));
    clients.forEach((c) => c.disconnect());
  });
  const pool = (url: string) => {
    const p = new Pool({ connectionString: url, connectionTimeoutMillis: 2_000, max: 1 });
    pools.push(p);
    return p;
  };
  const redis = (url: string) => {
    // A short disconnectTimeout: ioredis otherwise keeps a 2 s timer for a socket that never opened.
    const c = new Redis(url, { maxRetriesPerRequest: 1, disconnectTimeout: 50 });
    clients.push(c);
    return c;
  };

  it('passes for the running Postgres and Redis', async () => {
    const report = await runHealthChecks([postgresHealthCheck(pool(DATABASE_URL)), redisHealthCheck(redis(REDIS_URL))]);
    expect(report).toEqual({ status: 'ok', checks: { postgres: { status: 'ok' }, redis: { status: 'ok' } } });
  });

  it('names Postgres and the refused connection when the port is wrong', async () => {
    const port = await closedPort();
    const report = await runHealthChecks([postgresHealthCheck(pool(withPort(DATABASE_URL, port)))]);
    expect(report.status).toBe('unavailable');
    expect(report.checks.postgres).toEqual({ status: 'failing', error: expect.stringContaining(`ECONNREFUSED 127.0.0.1:${port}`) });
  });

  it('names Redis and the refused connection when the port is wrong', async () => {
    const port = await closedPort();
    const report = await runHealthChecks([redisHealthCheck(redis(withPort(REDIS_URL, port)), { timeoutMs: 5_000 })]);
    expect(report.status).toBe('unavailable');
    expect(report.checks.redis).toEqual({ status: 'failing', error: expect.stringContaining(`ECONNREFUSED 127.0.0.1:${port}`) });
  });

  it('names the database that does not exist', async () => {
    const url = new URL(DATABASE_URL);
    url.pathname = '/vigil_no_such_database';
    const report = await runHealthChecks([postgresHealthCheck(pool(url.toString()))]);
    expect(report.checks.postgres).toEqual({ status: 'failing', error: 'database "vigil_no_such_database" does not exist' });
  });
});

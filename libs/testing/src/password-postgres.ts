import { freePort } from './free-port';
import { registerSecretForLeakScan } from './leak-scan';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Client } from 'pg';

const run = promisify(execFile);
const POSTGRES_LIB = '/usr/lib/postgresql';

/**
 * A Postgres cluster of its own for one test file, that asks for a password
 * (scram-sha-256) on every connection — the machine's shared Postgres trusts every local
 * connection, so a test of password handling needs its own. Superuser `postgres`.
 */
export interface PasswordPostgres {
  host: '127.0.0.1';
  port: number;
  /** The superuser's password. */
  superuserPassword: string;
  /** postgres://<user>:<password>@127.0.0.1:<port>/<database>; no user: the superuser's. */
  url(database: string, user?: { name: string; password: string }): string;
  /** Runs SQL as the superuser on `database` (default `postgres`). */
  query<T extends object = Record<string, unknown>>(sql: string, params?: unknown[], database?: string): Promise<T[]>;
  /** Stops the server (immediate) and removes its files. */
  stop(): Promise<void>;
}

/** The bin directory of the newest Postgres installed from the Debian packages, or undefined. */
export function postgresBinDir(): string | undefined {
  if (!existsSync(POSTGRES_LIB)) return undefined;
  const versions = readdirSync(POSTGRES_LIB)
    .filter((v) => existsSync(path.join(POSTGRES_LIB, v, 'bin', 'initdb')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(POSTGRES_LIB, versions[0]!, 'bin') : undefined;
}

/**
 * initdb + pg_ctl start on a free port, listening on 127.0.0.1 only, with its socket in its
 * own directory. Postgres refuses to run as root, so when the tests run as root the
 * directory is handed to the `postgres` user and the binaries run as it (runuser).
 * Throws when initdb is absent: check `postgresBinDir()` first to skip with a reason.
 */
export async function startPasswordPostgres(): Promise<PasswordPostgres> {
  const bin = postgresBinDir();
  if (!bin) throw new Error(`no initdb under ${POSTGRES_LIB}/<version>/bin: install the postgresql server package`);
  const root = mkdtempSync(path.join(tmpdir(), 'vigil-pg-scram-'));
  const dataDir = path.join(root, 'data');
  const pwFile = path.join(root, 'superuser.pw');
  const superuserPassword = registerSecretForLeakScan(randomBytes(18).toString('base64url'), 'password-Postgres superuser password');
  mkdirSync(dataDir, { mode: 0o700 });
  writeFileSync(pwFile, `${superuserPassword}\n`, { mode: 0o600 });
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number((await run('id', ['-u', 'postgres'])).stdout.trim());
    const gid = Number((await run('id', ['-g', 'postgres'])).stdout.trim());
    for (const p of [root, dataDir, pwFile]) chownSync(p, uid, gid);
  }
  const pg = (tool: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]) : run(path.join(bin, tool), args));

  let started = false;
  const stop = async () => {
    if (started) await pg('pg_ctl', ['stop', '-D', dataDir, '-m', 'immediate', '-w']).catch(() => undefined);
    started = false;
    rmSync(root, { recursive: true, force: true });
  };
  try {
    await pg('initdb', ['-A', 'scram-sha-256', '--pwfile', pwFile, '-U', 'postgres', '-D', dataDir, '--no-sync', '--no-instructions', '-E', 'UTF8', '--locale', 'C']);
    rmSync(pwFile);
    const port = await freePort();
    // fsync off and a small footprint: a throwaway cluster on a shared 2-core machine.
    const options = `-p ${port} -k ${root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=16MB -c max_connections=40`;
    await pg('pg_ctl', ['start', '-D', dataDir, '-w', '-t', '30', '-l', path.join(root, 'server.log'), '-o', options]);
    started = true;
    const url: PasswordPostgres['url'] = (database, user = { name: 'postgres', password: superuserPassword }) =>
      `postgres://${encodeURIComponent(user.name)}:${encodeURIComponent(user.password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
    const query: PasswordPostgres['query'] = async (sql, params, database = 'postgres') => {
      const client = new Client({ connectionString: url(database), connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        return (await client.query(sql, params)).rows;
      } finally {
        await client.end().catch(() => undefined);
      }
    };
    return { host: '127.0.0.1', port, superuserPassword, url, query, stop };
  } catch (error) {
    await stop();
    const detail = (error as { stderr?: string }).stderr?.trim();
    throw new Error(`cannot start a password-authenticated Postgres: ${(error as Error).message}${detail ? ` (${detail})` : ''}`);
  }
}

import { auditEventsContract, exampleAuditEvent, exampleOrderEvent, marketOrdersContract } from '@vigil/contracts';
import { createEventProducer } from '@vigil/kafka';
import { generateNoteKeys } from '@vigil/merkle';
import { createThrowawayDatabase, infraEnv, serviceEnv, testPrefix, type ThrowawayDatabase } from '@vigil/testing';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { migrateAudit } from './migrate';
import { verifyDatabase } from './verify/verify-database';

// The built service as a child process, killed with SIGKILL while events stream in, then
// started again — and, on a private Postgres server, that server crashed and restarted while
// events stream in: either way every produced event is in the log exactly once and the log
// verifies. The
// Postgres offsets, committed with the entries, are what makes this hold; Kafka's committed
// offsets lag behind them at the kill.
jest.setTimeout(300_000);

const root = path.resolve(__dirname, '../../..');
const prefix = testPrefix();
const keys = generateNoteKeys('vigil.audit.crash');
let db: ThrowawayDatabase;
let pool: Pool;
let env: Record<string, string>;
let keyDir: string | undefined;

beforeAll(async () => {
  execFileSync(path.join(root, 'node_modules/.bin/nx'), ['run', 'audit-writer:build'], { cwd: root, stdio: 'ignore' });
  db = await createThrowawayDatabase();
  await migrateAudit(db.url);
  pool = new Pool({ connectionString: db.url, max: 2 });
  keyDir = mkdtempSync(path.join(tmpdir(), 'vigil-audit-crash-'));
  const keyFile = path.join(keyDir, 'signer.key');
  writeFileSync(keyFile, keys.signerKey, { mode: 0o600 });
  env = {
    ...(process.env as Record<string, string>),
    ...serviceEnv(infraEnv(), prefix),
    VIGIL_DATABASE_URL: db.url,
    VIGIL_AUDIT_SIGNING_KEY_FILE: keyFile,
    VIGIL_AUDIT_MAX_BATCH_MESSAGES: '100',
    VIGIL_AUDIT_GLOBAL_CHECKPOINT_INTERVAL: '1s',
    VIGIL_HTTP_PORT: '0',
    VIGIL_LOG_LEVEL: 'warn',
  };
});

afterAll(async () => {
  rmSync(path.join(tmpdir(), `vigil-audit-writer-${prefix}log`), { force: true });
  if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  await pool?.end();
  await db?.drop();
});

function startWriter(overrides: Record<string, string> = {}): ChildProcess {
  // Its JSON logs (warnings and errors) go to a file for when a run fails.
  const log = openSync(path.join(tmpdir(), `vigil-audit-writer-${prefix}log`), 'a');
  return spawn(path.join(root, 'node_modules/.bin/node'), [path.join(root, 'dist/apps/audit-writer/src/main.js')], { env: { ...env, ...overrides }, stdio: ['ignore', log, log] });
}

const countIn = async (db: Pool) => (await db.query("select count(*)::int as n from audit.entries where log_id <> 'global'")).rows[0].n as number;
const count = () => countIn(pool);

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('loses and duplicates nothing when the writer is killed with SIGKILL mid-stream', async () => {
  const producer = createEventProducer({ brokers: infraEnv().kafkaBrokers, clientId: 'audit-crash', topicPrefix: prefix });
  const TOTAL = 4000;
  let writer = startWriter();
  try {
    // Produce in the background while the writer appends.
    const producing = (async () => {
      for (let i = 0; i < TOTAL; i += 200) {
        await producer.send(auditEventsContract, Array.from({ length: 100 }, (_, j) => exampleAuditEvent({ eventId: `a-${i + j}`, service: `s${(i + j) % 5}` })));
        await producer.send(marketOrdersContract, Array.from({ length: 100 }, (_, j) => exampleOrderEvent({ eventId: `o-${i + j}`, orderId: `o${i + j}`, instrument: `I${(i + j) % 11}` })));
      }
    })();
    await until('the first entries', async () => (await count()) > 300);
    writer.kill('SIGKILL');
    await new Promise((resolve) => writer.once('exit', resolve));
    const atKill = await count();
    expect(atKill).toBeLessThan(TOTAL);
    await producing;

    writer = startWriter();
    await until(`all ${TOTAL} events`, async () => (await count()) >= TOTAL);
    // A moment more for anything duplicated to show up, then stop it cleanly.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    writer.kill('SIGTERM');
    expect(await new Promise((resolve) => writer.once('exit', (code) => resolve(code)))).toBe(0);

    const { rows } = await pool.query("select count(*)::int as entries, count(distinct event_id)::int as events from audit.entries where log_id <> 'global'");
    expect(rows[0]).toEqual({ entries: TOTAL, events: TOTAL });
    const report = await verifyDatabase(db.url, keys.verifierKey);
    expect(report.failures).toEqual([]);
    expect(report.logs.filter((log) => log.logId !== 'global').reduce((sum, log) => sum + log.size, 0)).toBe(TOTAL);
    expect(report.logs.some((log) => log.logId === 'global' && log.size > 0)).toBe(true);
  } finally {
    if (writer.exitCode === null && writer.signalCode === null) writer.kill('SIGKILL');
    await producer.close();
  }
});

/**
 * A private Postgres server (initdb into a temporary directory, run as the postgres user on a
 * free port), so that restarting it under load disturbs nobody else's tests.
 */
async function privatePostgres() {
  const bin = '/usr/lib/postgresql/15/bin';
  const dir = mkdtempSync(path.join(tmpdir(), 'vigil-audit-pg-'));
  chmodSync(dir, 0o700);
  const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
  const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
  chownSync(dir, uid, gid);
  const port = await new Promise<number>((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
  const asPostgres = (args: string[]) => execFileSync('runuser', ['-u', 'postgres', '--', ...args], { stdio: 'ignore' });
  asPostgres([`${bin}/initdb`, '-D', `${dir}/data`, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const ctl = (action: string, ...extra: string[]) =>
    asPostgres([`${bin}/pg_ctl`, '-D', `${dir}/data`, '-w', '-t', '60', '-l', `${dir}/log`, '-o', `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`, action, ...extra]);
  ctl('start');
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart: () => ctl('restart', '-m', 'immediate'),
    stop: () => {
      try {
        ctl('stop', '-m', 'immediate');
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

it('loses and duplicates nothing when Postgres restarts (immediate mode: a crash) under load', async () => {
  const pg = await privatePostgres();
  const own = new Pool({ connectionString: pg.url, max: 2 });
  own.on('error', () => undefined); // idle connections die with the restart
  const producer = createEventProducer({ brokers: infraEnv().kafkaBrokers, clientId: 'audit-pg-restart', topicPrefix: `${prefix}pg.` });
  const TOTAL = 3000;
  await migrateAudit(pg.url);
  let writer: ChildProcess | undefined;
  try {
    writer = startWriter({ VIGIL_DATABASE_URL: pg.url, VIGIL_TOPIC_PREFIX: `${prefix}pg.` });
    const producing = (async () => {
      for (let i = 0; i < TOTAL; i += 100) {
        await producer.send(auditEventsContract, Array.from({ length: 100 }, (_, j) => exampleAuditEvent({ eventId: `r-${i + j}`, service: `s${(i + j) % 5}` })));
      }
    })();
    await until('the first entries', async () => (await countIn(own).catch(() => 0)) > 300);
    pg.restart();
    await producing;
    await until(`all ${TOTAL} events`, async () => (await countIn(own).catch(() => 0)) >= TOTAL);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    writer.kill('SIGTERM');
    expect(await new Promise((resolve) => writer!.once('exit', (code) => resolve(code)))).toBe(0);

    const { rows } = await own.query("select count(*)::int as entries, count(distinct event_id)::int as events from audit.entries where log_id <> 'global'");
    expect(rows[0]).toEqual({ entries: TOTAL, events: TOTAL });
    const report = await verifyDatabase(pg.url, keys.verifierKey);
    expect(report.failures).toEqual([]);
  } finally {
    if (writer && writer.exitCode === null && writer.signalCode === null) writer.kill('SIGKILL');
    await producer.close();
    await own.end().catch(() => undefined);
    pg.stop();
  }
});

import { auditEventsContract, exampleAuditEvent, exampleOrderEvent, marketOrdersContract } from '@vigil/contracts';
import { createEventProducer } from '@vigil/kafka';
import { generateNoteKeys } from '@vigil/merkle';
import { createThrowawayDatabase, infraEnv, serviceEnv, testPrefix, type ThrowawayDatabase } from '@vigil/testing';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { migrateAudit } from './migrate';
import { verifyDatabase } from './verify/verify-database';

// The built service as a child process, killed with SIGKILL while events stream in, then
// started again: every produced event is in the log exactly once and the log verifies. The
// Postgres offsets, committed with the entries, are what makes this hold; Kafka's committed
// offsets lag behind them at the kill.
jest.setTimeout(300_000);

const root = path.resolve(__dirname, '../../..');
const prefix = testPrefix();
const keys = generateNoteKeys('vigil.audit.crash');
let db: ThrowawayDatabase;
let pool: Pool;
let env: Record<string, string>;

beforeAll(async () => {
  execFileSync(path.join(root, 'node_modules/.bin/nx'), ['run', 'audit-writer:build'], { cwd: root, stdio: 'ignore' });
  db = await createThrowawayDatabase();
  await migrateAudit(db.url);
  pool = new Pool({ connectionString: db.url, max: 2 });
  const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'vigil-audit-crash-')), 'signer.key');
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
  await pool?.end();
  await db?.drop();
});

function startWriter(): ChildProcess {
  return spawn(path.join(root, 'node_modules/.bin/node'), [path.join(root, 'dist/apps/audit-writer/src/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
}

const count = async () => (await pool.query("select count(*)::int as n from audit.entries where log_id <> 'global'")).rows[0].n as number;

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

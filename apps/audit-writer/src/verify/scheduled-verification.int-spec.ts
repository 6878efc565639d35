import { auditEventsContract, exampleAuditEvent, securityIncidentsContract, type SecurityIncident } from '@vigil/contracts';
import { createConsumerRunner, createEventProducer } from '@vigil/kafka';
import { generateNoteKeys, signCheckpoint } from '@vigil/merkle';
import { createLogger } from '@vigil/observability';
import { readinessOnceReady, type RunningService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, testPrefix, type ThrowawayDatabase } from '@vigil/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { checkpointKeyFrom } from '../checkpoint/signing-key';
import { migrateAudit } from '../migrate';
import { startAuditWriter, until } from '../test-support/audit-writer-service';

// The service's own scheduled verification, against Kafka and a throwaway Postgres: it verifies
// what was appended, and when a superuser changes the log behind the triggers it fails the
// round, counts it and raises AUDIT_INTEGRITY_VIOLATION on security.incidents.v1 — both for a
// forged checkpoint where the previous round stopped (the incremental path) and for a changed
// byte in an entry verified long before (found by the periodic full round).
jest.setTimeout(180_000);

const prefix = testPrefix();
const keys = generateNoteKeys('vigil.audit.scheduled');
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-audit-verify-'));
const logger = createLogger('audit-writer-test', 'silent');
let db: ThrowawayDatabase;
let pool: Pool;
let service: RunningService;

beforeAll(async () => {
  db = await createThrowawayDatabase();
  await migrateAudit(db.url);
  pool = new Pool({ connectionString: db.url, max: 2 });
  const keyFile = path.join(dir, 'signer.key');
  writeFileSync(keyFile, keys.signerKey, { mode: 0o600 });
  service = await startAuditWriter(prefix, {
    VIGIL_DATABASE_URL: db.url,
    VIGIL_AUDIT_SIGNING_KEY_FILE: keyFile,
    VIGIL_AUDIT_MAX_BATCH_MESSAGES: '50',
    VIGIL_AUDIT_VERIFY_INTERVAL: '300ms',
    VIGIL_AUDIT_FULL_VERIFY_EVERY: '3',
  });
});

afterAll(async () => {
  expect(await service?.stop('test')).toBe(0);
  await pool?.end();
  await db?.drop();
  rmSync(dir, { recursive: true, force: true });
});

/** One sample of the service's /metrics, by name (labels ignored but for `reason`). */
async function metric(name: string, reason?: string): Promise<number | undefined> {
  const text = await (await fetch(`${service.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && (reason === undefined || l.includes(`reason="${reason}"`)));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

/** Runs SQL as the superuser with the append-only triggers bypassed. */
const asSuperuser = (sql: string) => pool.query(`set session_replication_role = replica; ${sql}; set session_replication_role = origin`);

it('verifies on a schedule, and raises AUDIT_INTEGRITY_VIOLATION when a superuser tampers with the log', async () => {
  const kafka = { brokers: infraEnv().kafkaBrokers, clientId: 'audit-verify-test', topicPrefix: prefix, registryUrl: infraEnv().registryUrl };
  const incidents: SecurityIncident[] = [];
  const incidentReader = createConsumerRunner<SecurityIncident>({
    ...kafka,
    groupId: `${prefix}incident-reader`,
    contracts: [securityIncidentsContract],
    logger,
    handler: async (messages) => void incidents.push(...messages.map((m) => m.value).filter((i) => i.type === 'AUDIT_INTEGRITY_VIOLATION')),
  });
  const producer = createEventProducer(kafka);
  try {
    expect((await readinessOnceReady(service)).status).toBe(200);
    await incidentReader.start();
    await producer.send(auditEventsContract, Array.from({ length: 100 }, (_, i) => exampleAuditEvent({ eventId: `v-${i}`, service: `svc-${i % 7}` })));
    await until('100 entries', async () => ((await pool.query("select count(*)::int as n from audit.entries where event_id like 'v-%'")).rows[0].n >= 100 ? true : undefined));

    // A clean round has verified them all.
    const cleanSince = Date.now() / 1000;
    await until('a clean round over 100 entries', async () =>
      ((await metric('vigil_audit_writer_verification_last_success_timestamp_seconds')) ?? 0) > cleanSince && ((await metric('vigil_audit_writer_verification_verified_entries')) ?? 0) >= 100 ? true : undefined,
    );
    expect(await metric('vigil_audit_writer_entries_appended_total')).toBeGreaterThanOrEqual(100);
    expect(await metric('vigil_audit_writer_verification_failures_total', 'integrity')).toBeUndefined();

    // 1. The newest checkpoint of the biggest log, where the incremental rounds resume, forged with another key.
    const { log_id: logId, tree_size: size } = (await pool.query("select log_id, tree_size::int from audit.logs where log_id <> 'global' order by tree_size desc limit 1")).rows[0];
    const saved = (await pool.query('select note, root_hash from audit.checkpoints where log_id = $1 and tree_size = $2', [logId, size])).rows[0];
    const forger = checkpointKeyFrom(generateNoteKeys('vigil.audit.scheduled').signerKey);
    const forged = signCheckpoint({ origin: `vigil.audit/${logId}`, size, rootHash: saved.root_hash }, [forger.signer]);
    await asSuperuser(`update audit.checkpoints set note = ${literal(forged)} where log_id = ${literal(logId)} and tree_size = ${size}`);
    const forgedIncident = await until('an incident for the forged checkpoint', async () => incidents.find((i) => i.subject === `log:${logId}` && i.evidence['treeSize'] === size));
    expect(forgedIncident).toMatchObject({ severity: 'CRITICAL', evidence: { detectedBy: 'audit-writer scheduled verification', problem: expect.stringMatching(new RegExp(`^checkpoint at size ${size}: signature check failed`)) } });
    expect(await metric('vigil_audit_writer_verification_failures_total', 'integrity')).toBeGreaterThanOrEqual(1);

    // Repaired: rounds pass again.
    await asSuperuser(`update audit.checkpoints set note = ${literal(saved.note)} where log_id = ${literal(logId)} and tree_size = ${size}`);
    const repairedAt = Date.now() / 1000;
    await until('a clean round after the repair', async () => (((await metric('vigil_audit_writer_verification_last_success_timestamp_seconds')) ?? 0) > repairedAt ? true : undefined));

    // 2. One byte of an old entry (verified rounds ago): the next full round names it.
    const flip = `update audit.entries set entry = overlay(entry placing '\\x58'::bytea from 30 for 1) where log_id = ${literal(logId)} and seq = 1`;
    const original = (await pool.query('select entry from audit.entries where log_id = $1 and seq = 1', [logId])).rows[0].entry as Buffer;
    await asSuperuser(flip);
    try {
      const changed = await until('an incident for the changed entry', async () => incidents.find((i) => i.subject === `log:${logId}` && i.evidence['seq'] === 1));
      expect(changed.evidence['problem']).toMatch(/^entry 1: /);
    } finally {
      await asSuperuser(`update audit.entries set entry = '\\x${original.toString('hex')}'::bytea where log_id = ${literal(logId)} and seq = 1`);
    }
    const restoredAt = Date.now() / 1000;
    await until('a clean round after the restore', async () => (((await metric('vigil_audit_writer_verification_last_success_timestamp_seconds')) ?? 0) > restoredAt ? true : undefined));
  } finally {
    await incidentReader.stop();
    await producer.close();
  }
});

function literal(text: string): string {
  return `'${text.replace(/'/g, "''")}'`;
}

import { generateSigningKey, issueToken, type SigningKey } from '@vigil/auth';
import {
  auditCheckpointsContract,
  auditEventsContract,
  exampleAuditEvent,
  exampleOrderEvent,
  marketOrdersContract,
  securityIncidentsContract,
  type AuditCheckpoint,
  type SecurityIncident,
} from '@vigil/contracts';
import { createConsumerRunner, createEventProducer } from '@vigil/kafka';
import { generateNoteKeys, leafHash, verifyCheckpoint, verifyConsistency, verifyInclusion } from '@vigil/merkle';
import { createLogger } from '@vigil/observability';
import { type RunningService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, testPrefix, type ThrowawayDatabase } from '@vigil/testing';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { main as vigilAudit } from './cli/vigil-audit';
import { migrateAudit } from './migrate';
import { startAuditWriter, until } from './test-support/audit-writer-service';

// The whole service against the local Kafka, registry and a throwaway Postgres database:
// produced events land in their partition logs exactly once, checkpoints are signed, stored
// and published, the HTTP API serves verifiable proofs and a bundle, and `vigil audit verify`
// passes on the database and on the bundle, and fails naming the entry on a tampered bundle.
jest.setTimeout(180_000);

const prefix = testPrefix();
const keys = generateNoteKeys('vigil.audit.e2e');
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-audit-e2e-'));
const logger = createLogger('audit-writer-test', 'silent');
let db: ThrowawayDatabase;
let pool: Pool;
let service: RunningService;
// The gateway's part: a signing key and its JWKS on a local port; tokens made per role.
const ISSUER = 'vigil-test-issuer';
let signingKey: SigningKey;
let jwks: Server;
let auditorToken: string;
const tokenFor = (roles: string[]) =>
  issueToken(signingKey, { issuer: ISSUER, audience: 'audit-writer', ttlSec: 300, subject: `${roles.join('+')}-user`, principalType: 'user', roles, amr: ['pwd', 'otp'], authTime: Math.floor(Date.now() / 1000) });

beforeAll(async () => {
  signingKey = await generateSigningKey('test-key');
  jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [signingKey.publicJwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  auditorToken = await tokenFor(['auditor']);
  db = await createThrowawayDatabase();
  await migrateAudit(db.url);
  pool = new Pool({ connectionString: db.url, max: 2 });
  const keyFile = path.join(dir, 'signer.key');
  writeFileSync(keyFile, keys.signerKey, { mode: 0o600 });
  writeFileSync(path.join(dir, 'verifier.key'), `${keys.verifierKey}\n`);
  service = await startAuditWriter(prefix, {
    VIGIL_DATABASE_URL: db.url,
    VIGIL_AUDIT_SIGNING_KEY_FILE: keyFile,
    VIGIL_AUDIT_MAX_BATCH_MESSAGES: '50',
    VIGIL_AUDIT_GLOBAL_CHECKPOINT_INTERVAL: '300ms',
    VIGIL_AUDIT_AUTH_ISSUER: ISSUER,
    VIGIL_AUDIT_AUTH_JWKS_URL: `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`,
  });
});

afterAll(async () => {
  expect(await service?.stop('test')).toBe(0);
  await pool?.end();
  await db?.drop();
  await new Promise((resolve) => jwks?.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

// The API's answers are checked field by field below; `any` keeps that readable.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const get = async (route: string, token: string | null = auditorToken): Promise<{ status: number; body: any }> => {
  const response = await fetch(`${service.url}${route}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: response.status, body: response.headers.get('content-type')?.startsWith('application/json') ? await response.json() : await response.text() };
};

it('logs every produced event exactly once, signs and publishes checkpoints, serves proofs and bundles that verify offline', async () => {
  const kafka = { brokers: infraEnv().kafkaBrokers, clientId: 'audit-e2e', topicPrefix: prefix, registryUrl: infraEnv().registryUrl };
  const published: AuditCheckpoint[] = [];
  const checkpointReader = createConsumerRunner<AuditCheckpoint>({
    ...kafka,
    groupId: `${prefix}checkpoint-reader`,
    contracts: [auditCheckpointsContract],
    logger,
    handler: async (messages) => void published.push(...messages.map((m) => m.value)),
  });
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
    await until('the service ready', async () => ((await get('/readyz')).status === 200 ? true : undefined));
    await checkpointReader.start();
    await incidentReader.start();
    const audits = Array.from({ length: 120 }, (_, i) => exampleAuditEvent({ eventId: `a-${i}`, service: `svc-${i % 7}` }));
    const orders = Array.from({ length: 120 }, (_, i) => exampleOrderEvent({ eventId: `o-${i}`, orderId: `ord-${i}`, instrument: `INSTR${i % 9}` }));
    await producer.send(auditEventsContract, audits.slice(0, 60));
    await producer.send(marketOrdersContract, orders);
    await producer.send(auditEventsContract, audits.slice(60));

    await until('240 entries', async () => {
      const { rows } = await pool.query("select count(*)::int as n from audit.entries where event_id ~ '^[ao]-[0-9]+$'");
      return rows[0].n >= 240 ? true : undefined;
    });
    // Ours only: the API's authorization decisions are audit events too, and land in the log as well.
    const { rows } = await pool.query("select event_id, count(*)::int as n from audit.entries where event_id ~ '^[ao]-[0-9]+$' group by event_id");
    expect(rows.length).toBe(240);
    expect(rows.every((row) => row.n === 1)).toBe(true);

    // The API: logs, the latest checkpoint, an entry, its proofs.
    const logs = (await get('/v1/logs')).body;
    expect(logs.verifierKey).toBe(keys.verifierKey);
    const partitionLogs = logs.logs.filter((log: { logId: string }) => log.logId !== 'global');
    expect(partitionLogs.reduce((sum: number, log: { treeSize: number }) => sum + log.treeSize, 0)).toBeGreaterThanOrEqual(240);
    // A market.orders log: nothing else arrives there meanwhile (the API's own decisions go to audit.events).
    const biggest = [...logs.logs].filter((log) => log.logId.startsWith('market.orders.v1-')).sort((a, b) => b.treeSize - a.treeSize)[0];
    const checkpoint = (await get(`/v1/logs/${biggest.logId}/checkpoint`)).body;
    const signed = verifyCheckpoint(checkpoint.note, { trusted: [keys.verifierKey], origin: `vigil.audit/${biggest.logId}` }).checkpoint;
    expect(signed.size).toBe(biggest.treeSize);
    const seq = biggest.treeSize - 2;
    const entry = (await get(`/v1/logs/${biggest.logId}/entries/${seq}`)).body;
    const leaf = Buffer.from(entry.entry, 'base64');
    expect(JSON.parse(leaf.subarray(1).toString())).toMatchObject({ log: biggest.logId, seq, v: 1 });
    const byHash = (await get(`/v1/logs/${biggest.logId}/proofs/inclusion?leafHash=${leafHash(leaf).toString('hex')}&treeSize=${signed.size}`)).body;
    expect(byHash.index).toBe(seq);
    verifyInclusion(seq, signed.size, leafHash(leaf), byHash.proof.map((h: string) => Buffer.from(h, 'base64')), signed.rootHash);
    const consistency = (await get(`/v1/logs/${biggest.logId}/proofs/consistency?from=1&to=${signed.size}`)).body;
    const first = (await get(`/v1/logs/${biggest.logId}/proofs/inclusion?index=0&treeSize=1`)).body;
    verifyConsistency(1, signed.size, Buffer.from(first.rootHash, 'base64'), signed.rootHash, consistency.proof.map((h: string) => Buffer.from(h, 'base64')));
    expect((await get(`/v1/logs/${biggest.logId}/entries/${biggest.treeSize}`)).status).toBe(404);
    expect((await get(`/v1/logs/${biggest.logId}/proofs/inclusion?index=x`)).status).toBe(400);
    expect((await get(`/v1/logs/${biggest.logId}/proofs/consistency?from=0`)).status).toBe(400);
    expect((await get('/v1/logs/nope-1/checkpoint')).status).toBe(404);
    // RBAC: a token is needed, and a role that grants audit:read (sre does not).
    expect((await get('/v1/logs', null)).status).toBe(401);
    expect((await get(`/v1/logs/${biggest.logId}/entries/0`, await tokenFor(['sre']))).status).toBe(403);
    expect((await get(`/v1/logs/${biggest.logId}/export`, await tokenFor(['sre']))).status).toBe(403);
    const openapi = (await get('/docs/openapi.json')).body;
    expect(Object.keys(openapi.paths)).toEqual(expect.arrayContaining(['/v1/logs', '/v1/logs/{logId}/proofs/inclusion', '/v1/logs/{logId}/export']));

    // Every log's latest checkpoint is published on audit.checkpoints, and a global one over them all.
    await until('a global checkpoint over every partition head', async () => (published.some((c) => c.logId === 'global') ? true : undefined));
    await until('the latest checkpoints published', async () =>
      partitionLogs.every((log: { logId: string; treeSize: number }) => published.some((c) => c.logId === log.logId && c.treeSize === log.treeSize)) ? true : undefined,
    );

    // A bundle of every log from the API verifies offline; the database too.
    const bundle = path.join(dir, 'all.jsonl');
    const allLogs = (await get('/v1/logs')).body.logs;
    const parts = await Promise.all(allLogs.map(async (log: { logId: string }) => (await get(`/v1/logs/${log.logId}/export`)).body as string));
    writeFileSync(bundle, parts.join(''));
    const out = await capture(() => vigilAudit(['verify', '--bundle', bundle, '--key', keys.verifierKey]));
    expect(out).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`verified ${allLogs.length} logs, \\d+ entries`)) });
    expect(await capture(() => vigilAudit(['verify', '--database', db.url, '--key', keys.verifierKey]))).toMatchObject({ code: 0 });

    // A backup of every log through the CLI verifies the same way.
    const backup = path.join(dir, 'backup.jsonl');
    expect(await capture(() => vigilAudit(['export', '--database', db.url, '--out', backup]))).toMatchObject({ code: 0, stdout: expect.stringContaining(`exported ${biggest.logId} entries 0..`) });
    expect(await capture(() => vigilAudit(['verify', '--bundle', backup, '--key', `@${path.join(dir, 'verifier.key')}`]))).toMatchObject({ code: 0 });

    // A partial bundle (from a checkpointed size) verifies from its signed starting state.
    const partial = path.join(dir, 'partial.jsonl');
    writeFileSync(partial, (await get(`/v1/logs/${biggest.logId}/export?from=${Math.floor(biggest.treeSize / 2)}`)).body);
    expect(await capture(() => vigilAudit(['verify', '--bundle', partial, '--key', keys.verifierKey]))).toMatchObject({ code: 0 });

    // One changed byte in the bundle: named, exit 1.
    const lines = readFileSync(bundle, 'utf8').split('\n');
    const at = lines.findIndex((line) => line.includes(`"seq":3,`) && line.includes('"type":"entry"'));
    const tampered = JSON.parse(lines[at]!);
    const bytes = Buffer.from(tampered.entry, 'base64');
    bytes[bytes.indexOf('"seq":3') + 6] = '4'.charCodeAt(0);
    tampered.entry = bytes.toString('base64');
    lines[at] = JSON.stringify(tampered);
    writeFileSync(bundle, lines.join('\n'));
    const failed = await withEnv({ VIGIL_TOPIC_PREFIX: prefix, VIGIL_KAFKA_BROKERS: kafka.brokers.join(','), VIGIL_SCHEMA_REGISTRY_URL: kafka.registryUrl }, () =>
      capture(() => vigilAudit(['verify', '--bundle', bundle, '--key', keys.verifierKey, '--report-incidents'])),
    );
    expect(failed.code).toBe(1);
    expect(failed.stdout).toMatch(/FAIL log \S+-\d+, entry 3: /);
    expect(failed.stdout).toMatch(/reported 1 AUDIT_INTEGRITY_VIOLATION incident/);
    const failedLog = /FAIL log (\S+), entry 3/.exec(failed.stdout)![1];
    await until('the incident on security.incidents.v1', async () => (incidents.some((i) => i.subject === `log:${failedLog}` && i.evidence['seq'] === 3) ? true : undefined));
    // A different key: every checkpoint fails.
    expect((await capture(() => vigilAudit(['verify', '--database', db.url, '--key', generateNoteKeys('vigil.audit.e2e').verifierKey]))).code).toBe(1);
    expect((await capture(() => vigilAudit(['verify', '--key', keys.verifierKey]))).code).toBe(2);
  } finally {
    await checkpointReader.stop();
    await incidentReader.stop();
    await producer.close();
  }
});

async function withEnv<T>(vars: Record<string, string>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]));
  Object.assign(process.env, vars);
  try {
    return await fn();
  } finally {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  }
}

async function capture(fn: () => Promise<number>): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout: string[] = [];
  const stderr: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...args) => void stdout.push(args.join(' ')));
  const error = jest.spyOn(console, 'error').mockImplementation((...args) => void stderr.push(args.join(' ')));
  try {
    const code = await fn();
    return { code, stdout: stdout.join('\n'), stderr: stderr.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

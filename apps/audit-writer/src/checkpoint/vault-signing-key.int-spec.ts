import { auditEventsContract, exampleAuditEvent } from '@vigil/contracts';
import { createEventProducer } from '@vigil/kafka';
import { generateNoteKeys, verifyCheckpoint } from '@vigil/merkle';
import { readinessOnceReady, type RunningService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, testPrefix } from '@vigil/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { migrateAudit } from '../migrate';
import { startAuditWriter, until } from '../test-support/audit-writer-service';
import { loadCheckpointKeyFromVault } from './vault-signing-key';

// The checkpoint signing key from the REAL vault, read with the audit-writer's own service
// account (client credentials at the REAL gateway): the service signs with it, and a missing,
// foreign or malformed secret stops start-up naming the path.
jest.setTimeout(180_000);

/* The alerter's test support starts the real gateway and vault in-process (lazily required so
   that no app source is imported across apps); reused rather than copied. */
interface Peers {
  gateway: RunningService;
  vault: RunningService;
  start(): Promise<void>;
  stop(): Promise<void>;
  adminSession(): Promise<{ accessToken: string }>;
}
const peerSupport = require(path.join(__dirname, '../../../alerter/src/test-support/peer-services')) as {
  PeerServices: new (prefix: string) => Peers;
  http: (base: string, method: string, urlPath: string, body?: unknown, token?: string) => Promise<{ status: number; body: Record<string, unknown> }>;
};
const { http } = peerSupport;

const prefix = testPrefix();
const keys = generateNoteKeys('vigil.audit.vault');
const dir = mkdtempSync(path.join(tmpdir(), 'vigil-audit-vault-'));
const secretFile = path.join(dir, 'svc-audit-writer.json');
let peers: Peers;
let adminToken: string;

const writeSecret = async (secretPath: string, data: Record<string, string>) => {
  const res = await http(peers.vault.url, 'PUT', `/v1/secrets/data/${secretPath}`, { data }, adminToken);
  if (res.status !== 200) throw new Error(`write ${secretPath}: ${res.status} ${JSON.stringify(res.body)}`);
};
const options = (over: Partial<Parameters<typeof loadCheckpointKeyFromVault>[0]> = {}) => ({
  vaultUrl: peers.vault.url,
  path: 'signing/audit-writer',
  field: 'privateKey',
  tokenUrl: `${peers.gateway.url}/v1/auth/token`,
  clientId: 'svc-audit-writer',
  clientSecretFile: secretFile,
  ...over,
});

beforeAll(async () => {
  peers = new peerSupport.PeerServices(prefix);
  await peers.start();
  adminToken = (await peers.adminSession()).accessToken;
  const account = await http(peers.gateway.url, 'POST', '/v1/admin/service-accounts', { clientId: 'svc-audit-writer', roles: ['svc-audit-writer'] }, adminToken);
  expect(account.status).toBe(201);
  writeFileSync(secretFile, JSON.stringify({ clientId: 'svc-audit-writer', clientSecret: account.body['clientSecret'] }), { mode: 0o600 });
  await writeSecret('signing/audit-writer', { privateKey: keys.signerKey });
  await writeSecret('signing/audit-writer/not-a-key', { privateKey: 'PRIVATE+KEY+nonsense' });
  await writeSecret('signing/reporter', { privateKey: generateNoteKeys('vigil.reporter').signerKey });
});

afterAll(async () => {
  await peers?.stop();
  rmSync(dir, { recursive: true, force: true });
});

it('loads the signer key from the vault with the service account', async () => {
  const { key, close } = await loadCheckpointKeyFromVault(options());
  try {
    expect(key.verifierKey).toBe(keys.verifierKey);
  } finally {
    await close();
  }
});

it('follows a rotation in the vault: the new key reaches onRotate, a value that is not a key does not', async () => {
  await writeSecret('signing/audit-writer/rotating', { privateKey: keys.signerKey });
  const logged: string[] = [];
  const logger = { error: (_fields: unknown, message: string) => logged.push(message), warn: () => undefined, info: () => undefined, debug: () => undefined } as never;
  const { key, onRotate, close } = await loadCheckpointKeyFromVault(options({ path: 'signing/audit-writer/rotating', renewIntervalMs: 200, logger }));
  const rotated: string[] = [];
  onRotate((next) => rotated.push(next.verifierKey));
  try {
    expect(key.verifierKey).toBe(keys.verifierKey);
    await writeSecret('signing/audit-writer/rotating', { privateKey: 'PRIVATE+KEY+nonsense' });
    await until('the malformed version noticed and refused', async () => (logged.some((m) => /not a signer key/.test(m)) ? true : undefined));
    expect(rotated).toEqual([]);
    const next = generateNoteKeys('vigil.audit.vault');
    await writeSecret('signing/audit-writer/rotating', { privateKey: next.signerKey });
    await until('the rotation followed', async () => (rotated.length > 0 ? true : undefined));
    expect(rotated).toEqual([next.verifierKey]);
  } finally {
    await close();
  }
});

it.each([
  ['a missing path', { path: 'signing/audit-writer/gone' }, /signing\/audit-writer\/gone.*not_found|signing\/audit-writer\/gone.*not found/i],
  ['another service\'s path', { path: 'signing/reporter' }, /signing\/reporter.*denied/i],
  ['a missing field', { field: 'seed' }, /path signing\/audit-writer \(field seed\).*seed/],
  ['a value that is not a signer key', { path: 'signing/audit-writer/not-a-key' }, /the checkpoint signing key at vault .* path signing\/audit-writer\/not-a-key/],
  ['a wrong client secret', { clientSecretFile: path.join(dir, 'wrong.json') }, /signing\/audit-writer/],
])('fails naming the path: %s', async (_name, over, message) => {
  writeFileSync(path.join(dir, 'wrong.json'), JSON.stringify({ clientSecret: 'not-the-secret' }));
  await expect(loadCheckpointKeyFromVault(options(over))).rejects.toThrow(message);
});

it('signs its checkpoints with the vault key when VIGIL_VAULT_URL is set', async () => {
  const db = await createThrowawayDatabase();
  await migrateAudit(db.url);
  const pool = new Pool({ connectionString: db.url, max: 1 });
  const service = await startAuditWriter(prefix, {
    VIGIL_DATABASE_URL: db.url,
    VIGIL_AUDIT_SIGNING_KEY_FILE: undefined,
    VIGIL_VAULT_URL: peers.vault.url,
    VIGIL_AUDIT_GATEWAY_TOKEN_URL: `${peers.gateway.url}/v1/auth/token`,
    VIGIL_AUDIT_CLIENT_SECRET_FILE: secretFile,
  });
  const producer = createEventProducer({ brokers: infraEnv().kafkaBrokers, clientId: 'audit-vault-test', topicPrefix: prefix, registryUrl: infraEnv().registryUrl });
  try {
    expect((await readinessOnceReady(service)).status).toBe(200);
    await producer.send(auditEventsContract, [exampleAuditEvent({ eventId: 'vault-signed-1' })]);
    const row = await until('a checkpoint over the event', async () =>
      (await pool.query<{ note: string; log_id: string }>("select c.note, c.log_id from audit.checkpoints c join audit.entries e using (log_id) where e.event_id = 'vault-signed-1' limit 1")).rows[0],
    );
    expect(verifyCheckpoint(row.note, { trusted: [keys.verifierKey], origin: `vigil.audit/${row.log_id}` }).checkpoint.size).toBeGreaterThanOrEqual(1);
  } finally {
    await producer.close();
    expect(await service.stop('test')).toBe(0);
    await pool.end();
    await db.drop();
  }
});

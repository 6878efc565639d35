import type { RunningService } from '@vigil/service';
import { registerSecretForLeakScan } from '@vigil/testing';
import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createVaultHarness, type VaultHarness } from './testing/vault-harness';

// The vault as its main starts it, against the local Postgres (a throwaway database), Kafka
// and registry (topics under a unique prefix), with tokens signed by a test key served
// from a real local JWKS endpoint (see testing/vault-harness.ts).

const SECRET_VALUE = `pw-${randomBytes(12).toString('hex')}`;
const TRANSIT_PLAINTEXT = Buffer.from(`totp-seed-${randomBytes(12).toString('hex')}`);

let h: VaultHarness;
let pool: Pool;
let masterKey: string;
let vault: RunningService;

const start = (env?: Record<string, string | undefined>) => h.start(env);
const call = (...args: Parameters<VaultHarness['call']>) => h.call(...args);
const until = <T>(what: string, probe: () => Promise<T | undefined>) => h.until(what, probe);
const auditsFor = (resource: string) => h.recorder.auditsFor(resource);

beforeAll(async () => {
  h = await createVaultHarness({ VIGIL_VAULT_MAX_VERSIONS: '3', VIGIL_VAULT_TRANSIT_ENCRYPTION_LIMIT: '20', VIGIL_VAULT_TRANSIT_COUNTER_BLOCK: '4' });
  pool = h.pool;
  masterKey = h.masterKey;
  vault = await start();
  await until('the vault to be ready', async () => ((await fetch(`${vault.url}/readyz`)).status === 200 ? true : undefined));
  h.recorder.start();
});

afterAll(async () => {
  if (vault) await vault.stop('test');
  await h?.close();
});

describe('vault secrets', () => {
  it('writes with check-and-set, reads versions, keeps the last N, soft-deletes, undeletes and destroys, each audited', async () => {
    const path = '/v1/secrets/data/db/audit-writer';
    expect((await call(vault, 'admin', 'PUT', path, { data: { password: SECRET_VALUE }, cas: 0 })).body).toEqual({ path: 'db/audit-writer', version: 1 });
    const stale = await call(vault, 'admin', 'PUT', path, { data: { password: 'other' }, cas: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body).toMatchObject({ error: 'cas_mismatch', currentVersion: 1 });
    for (const v of [2, 3, 4]) expect((await call(vault, 'admin', 'PUT', path, { data: { password: `${SECRET_VALUE}-v${v}` }, cas: v - 1 })).body.version).toBe(v);

    const latest = await call(vault, 'audit-writer', 'GET', path);
    expect(latest.body).toMatchObject({ version: 4, data: { password: `${SECRET_VALUE}-v4` } });
    expect((await call(vault, 'audit-writer', 'GET', `${path}?version=2`)).body.data).toEqual({ password: `${SECRET_VALUE}-v2` });
    // Only the last 3 versions are kept.
    expect((await call(vault, 'audit-writer', 'GET', `${path}?version=1`)).status).toBe(404);

    expect((await call(vault, 'admin', 'DELETE', path)).body).toEqual({ path: 'db/audit-writer', versions: [4] });
    expect((await call(vault, 'audit-writer', 'GET', path)).body).toMatchObject({ error: 'deleted' });
    expect((await call(vault, 'admin', 'POST', '/v1/secrets/undelete/db/audit-writer', { versions: [4] })).body.versions).toEqual([4]);
    expect((await call(vault, 'audit-writer', 'GET', path)).body.version).toBe(4);
    expect((await call(vault, 'admin', 'POST', '/v1/secrets/destroy/db/audit-writer', { versions: [2] })).body.versions).toEqual([2]);
    expect((await call(vault, 'audit-writer', 'GET', `${path}?version=2`)).body).toMatchObject({ error: 'destroyed' });
    const { rows } = await pool.query('select version, ciphertext from vault.secret_versions where path = $1 order by version', ['db/audit-writer']);
    expect(rows.map((r) => [r.version, r.ciphertext === null])).toEqual([[2, true], [3, false], [4, false]]);

    const meta = await call(vault, 'admin', 'GET', '/v1/secrets/metadata/db/audit-writer');
    expect(meta.body).toMatchObject({ currentVersion: 4, maxVersions: 3 });
    expect(meta.text).not.toContain(SECRET_VALUE);

    const events = await until('the secret audit events', async () => {
      const seen = auditsFor('secret:db/audit-writer');
      return ['secrets.delete', 'secrets.undelete', 'secrets.destroy', 'secrets.metadata'].every((a) => seen.some((e) => e.action === a)) ? seen : undefined;
    });
    expect(events.filter((e) => e.action === 'secrets.write').map((e) => e.outcome)).toEqual(['success', 'failure', 'success', 'success', 'success']);
    expect(events.find((e) => e.action === 'secrets.read' && e.outcome === 'success')).toMatchObject({ service: 'vault', actor: { type: 'service', id: 'svc-audit-writer' } });
  });

  it('refuses another service\'s path, people without step-up, and no token; five denials raise UNAUTHORIZED_SECRET_ACCESS', async () => {
    expect((await call(vault, 'stale-admin', 'PUT', '/v1/secrets/data/webhook/pagerduty', { data: { token: 'x' } })).body).toMatchObject({ error: 'step_up_required' });
    expect((await call(vault, undefined, 'GET', '/v1/secrets/data/db/audit-writer')).status).toBe(401);
    for (let i = 0; i < 5; i++) {
      const denied = await call(vault, 'alerter', 'GET', '/v1/secrets/data/db/audit-writer');
      expect(denied.status).toBe(403);
    }
    const incident = await until('the incident', async () => h.recorder.incidents.find((i) => i.subject === 'service:svc-alerter'));
    expect(incident).toMatchObject({ type: 'UNAUTHORIZED_SECRET_ACCESS', evidence: { deniedCount: 5 } });
    expect(auditsFor('secret:db/audit-writer').filter((e) => e.outcome === 'denied' && e.actor.id === 'svc-alerter')).toHaveLength(5);
  });
});

describe('vault transit', () => {
  it('rotation end to end: encrypt under v1, rotate, both decrypt, rewrap, raise min_decryption_version, v1 refused — all audited', async () => {
    const plaintext = TRANSIT_PLAINTEXT.toString('base64');
    expect((await call(vault, 'officer', 'POST', '/v1/transit/keys/totp-seeds')).body).toMatchObject({ latestVersion: 1, minDecryptionVersion: 1 });
    const v1 = (await call(vault, 'gateway', 'POST', '/v1/transit/encrypt/totp-seeds', { plaintext })).body.ciphertext as string;
    expect(v1).toMatch(/^vigil:v1:/);
    expect((await call(vault, 'officer', 'POST', '/v1/transit/keys/totp-seeds/rotate')).body.latestVersion).toBe(2);
    const v2 = (await call(vault, 'gateway', 'POST', '/v1/transit/encrypt/totp-seeds', { batch: [{ plaintext }] })).body.batch[0].ciphertext as string;
    expect(v2).toMatch(/^vigil:v2:/);

    const both = await call(vault, 'gateway', 'POST', '/v1/transit/decrypt/totp-seeds', { batch: [{ ciphertext: v1 }, { ciphertext: v2 }] });
    expect(both.body.batch).toEqual([
      { plaintext, keyVersion: 1 },
      { plaintext, keyVersion: 2 },
    ]);

    const rewrapped = await call(vault, 'officer', 'POST', '/v1/transit/rewrap/totp-seeds', { batch: [{ ciphertext: v1 }] });
    expect(rewrapped.body.batch[0].ciphertext).toMatch(/^vigil:v2:/);
    expect(rewrapped.text).not.toContain(plaintext);

    expect((await call(vault, 'officer', 'PATCH', '/v1/transit/keys/totp-seeds/config', { min_decryption_version: 2 })).body.minDecryptionVersion).toBe(2);
    const refused = await call(vault, 'gateway', 'POST', '/v1/transit/decrypt/totp-seeds', { ciphertext: v1 });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toBe('key_version_retired');
    const stillFine = await call(vault, 'gateway', 'POST', '/v1/transit/decrypt/totp-seeds', { ciphertext: rewrapped.body.batch[0].ciphertext });
    expect(stillFine.body).toEqual({ plaintext, keyVersion: 2 });

    const events = await until('the transit audit events', async () => {
      const seen = auditsFor('transit-key:totp-seeds');
      return seen.length >= 9 ? seen : undefined;
    });
    expect(events.map((e) => `${e.action}:${e.outcome}`)).toEqual([
      'transit.key_create:success',
      'transit.encrypt:success',
      'transit.rotate:success',
      'transit.encrypt:success',
      'transit.decrypt:success',
      'transit.rewrap:success',
      'transit.key_config:success',
      'transit.decrypt:success',
      'transit.decrypt:success',
    ]);
    expect(events[7].details).toMatchObject({ count: 1, failed: 1, errors: ['key_version_retired'] });
  });

  it('refuses encryption past the per-key-version limit until the key is rotated', async () => {
    await call(vault, 'officer', 'POST', '/v1/transit/keys/counted');
    const plaintext = Buffer.from('x').toString('base64');
    const twenty = await call(vault, 'gateway', 'POST', '/v1/transit/encrypt/counted', { batch: Array.from({ length: 20 }, () => ({ plaintext })) });
    expect(twenty.status).toBe(200);
    const over = await call(vault, 'gateway', 'POST', '/v1/transit/encrypt/counted', { plaintext });
    expect(over.status).toBe(409);
    expect(over.body).toMatchObject({ error: 'rotation_required', keyVersion: 1, limit: 20 });
    await call(vault, 'officer', 'POST', '/v1/transit/keys/counted/rotate');
    expect((await call(vault, 'gateway', 'POST', '/v1/transit/encrypt/counted', { plaintext })).body.keyVersion).toBe(2);
    const { rows } = await pool.query("select version, encryptions_reserved from vault.transit_key_versions where name = 'counted' order by version");
    expect(rows.map((r) => [r.version, Number(r.encryptions_reserved)])).toEqual([[1, 20], [2, 4]]);
  });
});

describe('vault audit, grouped sends', () => {
  it('50 concurrent reads: each answered, each with its own audit event (grouped into fewer produce requests)', async () => {
    await call(vault, 'admin', 'PUT', '/v1/secrets/data/db/audit-writer/grouped', { data: { password: SECRET_VALUE } });
    // Produce requests to audit.events.v1 so far: the send-duration histogram counts one per send.
    const sends = async () => {
      const text = await (await fetch(`${vault.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('vigil_kafka_producer_send_duration_seconds_count') && l.includes('audit.events.v1'));
      return Number(line?.split(' ').pop() ?? NaN);
    };
    const before = await sends();
    const answers = await Promise.all(Array.from({ length: 50 }, () => call(vault, 'audit-writer', 'GET', '/v1/secrets/data/db/audit-writer/grouped')));
    expect(answers.map((a) => a.status)).toEqual(Array(50).fill(200));
    const leases = new Set(answers.map((a) => a.body.lease.id));
    const events = await until('50 read events', async () => {
      const reads = auditsFor('secret:db/audit-writer/grouped').filter((e) => e.action === 'secrets.read' && e.outcome === 'success');
      return reads.length >= 50 ? reads : undefined;
    });
    expect(events).toHaveLength(50);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(50);
    expect(new Set(events.map((e) => e.details?.['leaseId']))).toEqual(leases);
    const used = (await sends()) - before;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThan(50);
  });
});

describe('vault tampering', () => {
  it('a ciphertext moved to another row or with a flipped bit fails clearly, without plaintext', async () => {
    await call(vault, 'admin', 'PUT', '/v1/secrets/data/db/alerter', { data: { password: SECRET_VALUE } });
    await call(vault, 'admin', 'PUT', '/v1/secrets/data/db/reporter', { data: { password: `${SECRET_VALUE}-r` } });
    await pool.query("update vault.secret_versions set ciphertext = (select ciphertext from vault.secret_versions where path = 'db/alerter' and version = 1) where path = 'db/reporter' and version = 1");
    const moved = await call(vault, 'admin', 'GET', '/v1/secrets/data/db/reporter');
    expect(moved.status).toBe(500);
    expect(moved.body).toMatchObject({ error: 'integrity_failure' });
    expect(moved.body.message).toMatch(/secret db\/reporter v1 failed authentication/);
    expect(moved.text).not.toContain(SECRET_VALUE);

    await pool.query("update vault.secret_versions set ciphertext = set_byte(ciphertext, 20, get_byte(ciphertext, 20) # 1) where path = 'db/alerter' and version = 1");
    const flipped = await call(vault, 'admin', 'GET', '/v1/secrets/data/db/alerter');
    expect(flipped.body).toMatchObject({ error: 'integrity_failure' });
    expect(flipped.text).not.toContain(SECRET_VALUE);
    await until('the failure audit', async () => auditsFor('secret:db/alerter').find((e) => e.action === 'secrets.read' && e.outcome === 'failure'));
  });
});

describe('vault sealed', () => {
  it.each([
    ['no master key', { VIGIL_VAULT_MASTER_KEY: undefined }, /no master key: set VIGIL_VAULT_MASTER_KEY/],
    ['a wrong master key', { VIGIL_VAULT_MASTER_KEY: registerSecretForLeakScan(randomBytes(32).toString('base64'), 'a wrong vault master key') }, /wrong master key/],
  ])('with %s: every operation answers 503 sealed with the reason, /readyz fails naming it', async (_what, env, reason) => {
    const sealed = await start(env);
    try {
      const status = await call(sealed, undefined, 'GET', '/v1/sys/seal-status');
      expect(status.body).toEqual({ sealed: true, reason: expect.stringMatching(reason) });
      for (const [method, path] of [['GET', '/v1/secrets/data/db/audit-writer'], ['POST', '/v1/transit/encrypt/totp-seeds']] as const) {
        const res = await call(sealed, 'admin', method, path, method === 'POST' ? { plaintext: 'eA==' } : undefined);
        expect(res.status).toBe(503);
        expect(res.body).toMatchObject({ error: 'sealed', reason: expect.stringMatching(reason) });
      }
      const readyz = await fetch(`${sealed.url}/readyz`);
      expect(readyz.status).toBe(503);
      expect(((await readyz.json()) as { checks: Record<string, unknown> }).checks.vault).toEqual({ status: 'failing', error: expect.stringMatching(reason) });
      expect(JSON.stringify(status.body)).not.toContain(masterKey);
    } finally {
      await sealed.stop('test');
    }
  });
});

describe('vault audit, fail closed', () => {
  it('with the broker unreachable, reads and writes answer 503 audit_unavailable and the write is rolled back', async () => {
    const deaf = await start({ VIGIL_KAFKA_BROKERS: '127.0.0.1:1', VIGIL_VAULT_AUDIT_TIMEOUT: '1s', VIGIL_SHUTDOWN_TIMEOUT: '5s' });
    try {
      await until('unsealed', async () => ((await call(deaf, undefined, 'GET', '/v1/sys/seal-status')).body.sealed === false ? true : undefined));
      const read = await call(deaf, 'audit-writer', 'GET', '/v1/secrets/data/db/audit-writer');
      expect(read.status).toBe(503);
      expect(read.body.error).toBe('audit_unavailable');
      expect(read.text).not.toContain(SECRET_VALUE);
      const write = await call(deaf, 'admin', 'PUT', '/v1/secrets/data/db/fail-closed', { data: { password: 'never' } });
      expect(write.status).toBe(503);
      expect((await pool.query("select 1 from vault.secret_versions where path = 'db/fail-closed'")).rowCount).toBe(0);
    } finally {
      // The producer to the dead broker may not close cleanly; the test is about the answers above.
      await deaf.stop('test');
    }
  });
});

describe('after the suite', () => {
  it('no audit event or incident on Kafka, and no log line at trace level, carries a secret value, transit plaintext or the master key', () => {
    expect(h.recorder.raw.length).toBeGreaterThan(20);
    expect(h.logs.length).toBeGreaterThan(20);
    const all = [...h.recorder.raw, ...h.logs].join('\n');
    expect(all).not.toContain(masterKey);
    expect(all).not.toContain(SECRET_VALUE);
    expect(all).not.toContain(TRANSIT_PLAINTEXT.toString('base64'));
    expect(all).not.toContain(TRANSIT_PLAINTEXT.toString());
  });
});

import type { RunningService } from '@vigil/service';
import { createVaultClient, loadSecrets, MissingSecretsError, VaultClientError, type VaultClient } from '@vigil/vault-client';
import { randomBytes } from 'node:crypto';
import { createVaultHarness, type VaultHarness } from './testing/vault-harness';

// Leases on the real vault (Postgres, Kafka), and @vigil/vault-client against it: a service
// loads its credential at start-up and follows a rotation without a restart.

const VALUE = `lease-pw-${randomBytes(8).toString('hex')}`;

let h: VaultHarness;
let vault: RunningService;
const clients: VaultClient[] = [];

beforeAll(async () => {
  // Short leases so expiry and renewal happen within the test: 2 s, at most 6 s.
  h = await createVaultHarness({ VIGIL_VAULT_LEASE_TTL: '2s', VIGIL_VAULT_LEASE_MAX_TTL: '6s' });
  vault = await h.start();
  await h.until('the vault to be ready', async () => ((await fetch(`${vault.url}/readyz`)).status === 200 ? true : undefined));
  h.recorder.start();
  await h.call(vault, 'admin', 'PUT', '/v1/secrets/data/db/audit-writer', { data: { password: `${VALUE}-1` } });
});

afterAll(async () => {
  for (const c of clients) await c.close();
  if (vault) await vault.stop('test');
  await h?.close();
});

const read = (who: 'audit-writer' | 'admin', lease?: string) => h.call(vault, who, 'GET', '/v1/secrets/data/db/audit-writer', undefined, lease ? { 'x-vigil-lease': lease } : {});
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('leases', () => {
  it('a read hands out a lease; its holder renews it; another caller cannot; a revoked lease fails the next read that presents it', async () => {
    const first = await read('audit-writer');
    expect(first.body.lease).toMatchObject({ id: expect.stringMatching(/^[0-9a-f]{32}$/), ttlSec: 2, renewable: true });
    const id = first.body.lease.id as string;

    const renewed = await h.call(vault, 'audit-writer', 'POST', '/v1/sys/leases/renew', { leaseId: id });
    expect(renewed.body).toMatchObject({ leaseId: id, path: 'db/audit-writer', currentVersion: 1, renewable: true });
    expect((await h.call(vault, 'alerter', 'POST', '/v1/sys/leases/renew', { leaseId: id })).status).toBe(404);
    expect((await read('audit-writer', id)).body).toMatchObject({ version: 1, lease: { id } });

    // Someone else's lease: the holder may revoke its own; the alerter needs secrets:rotate and has not.
    expect((await h.call(vault, 'alerter', 'POST', '/v1/sys/leases/revoke', { leaseId: id })).status).toBe(403);
    expect((await h.call(vault, 'audit-writer', 'POST', '/v1/sys/leases/revoke', { leaseId: id })).body).toEqual({ revoked: [id] });
    const refused = await read('audit-writer', id);
    expect(refused.status).toBe(410);
    expect(refused.body).toMatchObject({ error: 'lease_revoked' });
    expect(refused.text).not.toContain(VALUE);
    expect((await h.call(vault, 'audit-writer', 'POST', '/v1/sys/leases/renew', { leaseId: id })).body.error).toBe('lease_revoked');

    const metrics = await (await fetch(`${vault.url}/metrics`)).text();
    const live = (await h.pool.query('select count(*)::int as n from vault.leases where revoked_at is null and expires_at > now()')).rows[0].n;
    expect(metrics).toMatch(new RegExp(`^vigil_vault_leases_live\\{service="vault"\\} ${live}$`, 'm'));
    expect(metrics).toMatch(/^vigil_vault_keyring_version\{service="vault"\} 1$/m);
    expect(metrics).toMatch(/^vigil_vault_keyring_encryptions_reserved\{service="vault"\} 100$/m); // one block reserved by the first write
    expect(metrics).toMatch(/^vigil_vault_operations_total\{operation="leases.revoke",outcome="success",service="vault"\} 1$/m);
  });

  it('an expired lease fails the next read and its renewal; renewals stop at the maximum lifetime', async () => {
    const id = (await read('audit-writer')).body.lease.id as string;
    await sleep(2_300);
    const expired = await read('audit-writer', id);
    expect(expired.status).toBe(410);
    expect(expired.body).toMatchObject({ error: 'lease_expired', message: expect.stringContaining(`lease ${id} on secret db/audit-writer expired`) });
    expect((await h.call(vault, 'audit-writer', 'POST', '/v1/sys/leases/renew', { leaseId: id })).body.error).toBe('lease_expired');

    const kept = (await read('audit-writer')).body.lease.id as string;
    let last: { renewable: boolean; ttlSec: number } = { renewable: true, ttlSec: 2 };
    for (let i = 0; i < 8 && last.renewable; i++) {
      await sleep(1_000);
      last = (await h.call(vault, 'audit-writer', 'POST', '/v1/sys/leases/renew', { leaseId: kept })).body;
    }
    expect(last.renewable).toBe(false); // reached the 6 s maximum
  });

  it('an operator revokes every lease on a path (step-up); all of it is audited', async () => {
    const a = (await read('audit-writer')).body.lease.id as string;
    const b = (await read('admin')).body.lease.id as string;
    expect((await h.call(vault, 'stale-admin', 'POST', '/v1/sys/leases/revoke-prefix/db')).body.error).toBe('step_up_required');
    const revoked = await h.call(vault, 'officer', 'POST', '/v1/sys/leases/revoke-prefix/db');
    expect(revoked.body.revoked).toBeGreaterThanOrEqual(2);
    expect((await read('audit-writer', a)).body.error).toBe('lease_revoked');
    expect((await read('admin', b)).body.error).toBe('lease_revoked');

    const events = await h.recorder.waitFor('the lease audit events', () => {
      const seen = h.recorder.auditsFor('secret:db/audit-writer');
      return seen.some((e) => e.action === 'leases.renew') && seen.some((e) => e.action === 'leases.revoke') && h.recorder.auditsFor('secret:db').some((e) => e.action === 'leases.revoke_prefix' && e.outcome === 'success') && seen;
    });
    expect(events.filter((e) => e.action === 'secrets.read' && e.outcome === 'failure').map((e) => e.reason)).toEqual(
      expect.arrayContaining([expect.stringContaining('was revoked'), expect.stringContaining('expired at')]),
    );
    expect(h.recorder.auditsFor('secret:db').find((e) => e.action === 'leases.revoke_prefix' && e.outcome === 'success')?.details).toMatchObject({ count: revoked.body.revoked });
    expect(h.recorder.audits.filter((e) => e.action === 'leases.revoke' && e.outcome === 'denied')).toHaveLength(1);
  });
});

describe('@vigil/vault-client', () => {
  const client = (who: 'audit-writer' | 'gateway' | 'alerter', url = vault.url) => {
    const c = createVaultClient({ url, token: () => h.token(who), timeoutMs: 3_000 });
    clients.push(c);
    return c;
  };

  it('loads a service\'s secrets at start-up, or fails naming each path it cannot have', async () => {
    const { db } = await loadSecrets(client('audit-writer'), { db: { path: 'db/audit-writer', fields: ['password'] } });
    expect(db.get('password')).toBe(`${VALUE}-1`);
    expect(JSON.stringify({ db })).not.toContain(VALUE);

    const error = await loadSecrets(client('alerter'), { db: 'db/alerter', other: 'db/audit-writer' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MissingSecretsError);
    expect((error as Error).message).toMatch(/db\/alerter \(db\): not_found: .*secret db\/alerter does not exist/);
    expect((error as Error).message).toMatch(/db\/audit-writer \(other\): denied: .*may use only the secret paths naming its service/);
    expect((error as Error).message).not.toContain(VALUE);
  });

  it('follows a rotation without a restart: the renewal sees the new version and the Secret changes in place', async () => {
    const secret = await client('audit-writer').readSecret('db/audit-writer');
    const changed = new Promise<number>((resolve) => secret.onChange((s) => resolve(s.version)));
    const before = secret.version;
    await h.call(vault, 'admin', 'PUT', '/v1/secrets/data/db/audit-writer', { data: { password: `${VALUE}-2` } });
    expect(await changed).toBe(before + 1);
    expect(secret.get('password')).toBe(`${VALUE}-2`);
  });

  it('a service whose database credential is rotated keeps querying without a restart, as the new role', async () => {
    // Local Postgres trusts every password, so the rotation moves the credential to a new role: which role answers shows which credential is in use.
    const suffix = randomBytes(4).toString('hex');
    const [roleA, roleB] = [`vault_rot_a_${suffix}`, `vault_rot_b_${suffix}`];
    for (const role of [roleA, roleB]) await h.pool.query(`create role ${role} login password '${randomBytes(8).toString('hex')}'`);
    const dbUrl = new URL(h.db.url);
    const { Pool } = await import('pg');
    const poolFor = (secret: { get(field: string): string }) =>
      new Pool({ host: dbUrl.hostname, port: Number(dbUrl.port || 5432), database: dbUrl.pathname.slice(1), user: secret.get('user'), password: secret.get('password'), max: 2 });
    await h.call(vault, 'admin', 'PUT', '/v1/secrets/data/db/audit-writer/app', { data: { user: roleA, password: 'a' } });
    const { app } = await loadSecrets(client('audit-writer'), { app: { path: 'db/audit-writer/app', fields: ['user', 'password'] } });
    let pool = poolFor(app);
    const swapped = new Promise<void>((resolve) =>
      app.onChange(() => {
        const old = pool;
        pool = poolFor(app);
        void old.end();
        resolve();
      }),
    );
    const whoAmI = async () => (await pool.query<{ current_user: string }>('select current_user')).rows[0].current_user;
    try {
      expect(await whoAmI()).toBe(roleA);
      await h.call(vault, 'admin', 'PUT', '/v1/secrets/data/db/audit-writer/app', { data: { user: roleB, password: 'b' } });
      // The service keeps working while the rotation is picked up, then works as the new role.
      const seen = new Set<string>();
      let done = false;
      void swapped.then(() => (done = true));
      while (!done) {
        seen.add(await whoAmI());
        await sleep(100);
      }
      expect(await whoAmI()).toBe(roleB);
      expect(seen.has(roleA)).toBe(true);
    } finally {
      await pool.end();
      for (const role of [roleA, roleB]) await h.pool.query(`drop role if exists ${role}`).catch(() => undefined);
    }
  });

  it('renews at least every maxRenewIntervalMs, so a rotation arrives sooner than 2/3 of the lease', async () => {
    const c = createVaultClient({ url: vault.url, token: () => h.token('audit-writer'), renewAt: 0.99, maxRenewIntervalMs: 200 });
    clients.push(c);
    const secret = await c.readSecret('db/audit-writer');
    const expiries: number[] = [];
    await h.until('three renewals', async () => {
      const at = secret.lease.expiresAt.getTime();
      if (expiries.at(-1) !== at) expiries.push(at);
      return expiries.length >= 4 ? true : undefined;
    }, 30);
  });

  it('gets a new lease by itself when an operator revokes the one it holds', async () => {
    const secret = await client('audit-writer').readSecret('db/audit-writer');
    const firstLease = secret.lease.id;
    await h.call(vault, 'officer', 'POST', '/v1/sys/leases/revoke-prefix/db/audit-writer');
    await h.until('a new lease', async () => (secret.lease.id !== firstLease ? true : undefined));
    expect(secret.get('password')).toBe(`${VALUE}-2`);
  });

  it('keeps its value while the vault is down and renews again once a vault is back on the same address', async () => {
    const first = await h.start();
    const port = new URL(first.url).port;
    const errors: string[] = [];
    const c = createVaultClient({ url: first.url, token: () => h.token('audit-writer'), timeoutMs: 1_000, logger: { warn: () => undefined, error: (m) => errors.push(m) } });
    clients.push(c);
    const secret = await c.readSecret('db/audit-writer');
    await first.stop('test');
    await h.until('a failed renewal', async () => (errors.length > 0 ? true : undefined), 50);
    expect(errors[0]).toMatch(/^vault: keeping \[Secret db\/audit-writer v\d+\] after a failed renewal \(db\/audit-writer: .*unreachable.*\); retry in 1000 ms$/);
    expect(secret.get('password')).toBe(`${VALUE}-2`);
    const second = await h.start({ VIGIL_HTTP_PORT: port });
    try {
      const renewedBefore = secret.lease.expiresAt.getTime();
      // Renewed, or (the 2 s lease having expired during the outage) replaced by a fresh read: either way live again.
      await h.until('a live lease from the new vault', async () => (secret.lease.expiresAt.getTime() > renewedBefore ? true : undefined), 100);
      expect(secret.lease.expiresAt.getTime()).toBeGreaterThan(Date.now());
      expect(secret.get('password')).toBe(`${VALUE}-2`);
    } finally {
      await second.stop('test');
    }
  });

  it('retries once with a fresh token when the vault refuses the cached one', async () => {
    let calls = 0;
    let invalidated = 0;
    const c = createVaultClient({
      url: vault.url,
      token: async () => (calls++ === 0 ? 'not-a-valid-token' : h.token('audit-writer')),
      invalidateToken: () => invalidated++,
    });
    clients.push(c);
    expect((await c.readSecret('db/audit-writer')).get('password')).toBe(`${VALUE}-2`);
    expect([calls, invalidated]).toEqual([2, 1]);
    const stubborn = createVaultClient({ url: vault.url, token: async () => 'not-a-valid-token', invalidateToken: () => undefined });
    clients.push(stubborn);
    await expect(stubborn.readSecret('db/audit-writer')).rejects.toMatchObject({ code: 'denied', status: 401, vaultCode: 'unauthorized' });
  });

  it('transit through the client; clear errors for a sealed or unreachable vault', async () => {
    await h.call(vault, 'officer', 'POST', '/v1/transit/keys/client-key');
    const gateway = client('gateway');
    const ciphertext = await gateway.encrypt('client-key', 'seed-bytes');
    expect(ciphertext).toMatch(/^vigil:v1:/);
    expect((await gateway.decrypt('client-key', ciphertext)).toString()).toBe('seed-bytes');
    await expect(gateway.decrypt('client-key', 'vigil:v1:AAAA')).rejects.toThrow(/transit-key:client-key: batch\[0\]: invalid_ciphertext/);

    const sealed = await h.start({ VIGIL_VAULT_MASTER_KEY: undefined });
    try {
      const error = await client('audit-writer', sealed.url).readSecret('db/audit-writer').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VaultClientError);
      expect(error).toMatchObject({ code: 'sealed', retryable: true, subject: 'db/audit-writer', message: expect.stringContaining('no master key') });
    } finally {
      await sealed.stop('test');
    }
    await expect(client('audit-writer', 'http://127.0.0.1:1').readSecret('db/audit-writer')).rejects.toMatchObject({ code: 'unreachable' });
  });
});

describe('after the suite', () => {
  it('no log line (trace level) or produced event holds a secret value', () => {
    const all = [...h.logs, ...h.recorder.raw].join('\n');
    expect(h.logs.length).toBeGreaterThan(10);
    expect(all).not.toContain(VALUE);
    expect(all).not.toContain(h.masterKey);
  });
});

import { createTokenVerifier, ServiceTokenError, ServiceTokenSource } from '@vigil/auth';
import { loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { readinessOnceReady, startService, type RunningService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, registerSecretForLeakScan, serviceEnv, testPrefix, type ThrowawayDatabase } from '@vigil/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { AppModule } from '../app.module';
import { authGatewayConfig } from '../auth-gateway.config';
import { ensureServiceAccounts } from './service-accounts';

// The six services' accounts in a throwaway database, and their tokens fetched through the
// real gateway's token endpoint by ServiceTokenSource.

let db: ThrowawayDatabase;
let pool: Pool;
let gateway: RunningService;

beforeAll(async () => {
  db = await createThrowawayDatabase();
  pool = new Pool({ connectionString: db.url, max: 2 });
  const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'gw-sa-')), 'seed.key');
  writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const config = loadConfig(authGatewayConfig, { ...process.env, ...serviceEnv(infraEnv(), testPrefix()), VIGIL_DATABASE_URL: db.url, VIGIL_HTTP_PORT: '0', VIGIL_LOG_LEVEL: 'silent', VIGIL_AUTH_SEED_KEY_FILE: keyFile });
  gateway = await startService({ name: 'auth-gateway', module: AppModule, config, logger: createLogger('auth-gateway', 'silent') });
  expect((await readinessOnceReady(gateway)).status).toBe(200);
});

afterAll(async () => {
  if (gateway) await gateway.stop('test');
  await pool?.end();
  await db?.drop();
});

describe('service accounts', () => {
  it('creates one account per service with its role, keeps them on a rerun, rotates one on request; ServiceTokenSource gets each a token', async () => {
    const first = await ensureServiceAccounts(pool);
    for (const account of first) if (account.clientSecret) registerSecretForLeakScan(account.clientSecret, `client secret of ${account.clientId}`);
    expect(first.map((o) => [o.clientId, o.status, o.roles])).toEqual(
      ['auth-gateway', 'vault', 'compliance-detector', 'alerter', 'audit-writer', 'reporter'].map((s) => [`svc-${s}`, 'created', [`svc-${s}`]]),
    );
    const stored = (await pool.query(`select client_id, secret_hash from auth.service_accounts order by client_id`)).rows as Array<{ client_id: string; secret_hash: string }>;
    expect(stored).toHaveLength(6);
    for (const row of stored) expect(row.secret_hash).toMatch(/^\$argon2id\$/);

    expect((await ensureServiceAccounts(pool)).map((o) => [o.status, o.clientSecret])).toEqual(Array(6).fill(['kept', undefined]));
    const rotated = await ensureServiceAccounts(pool, { rotate: ['vault'] });
    expect(rotated.filter((o) => o.status === 'rotated').map((o) => o.clientId)).toEqual(['svc-vault']);

    const verifier = createTokenVerifier({ issuer: 'vigil-auth-gateway', audience: 'vault', keys: { jwksUrl: `${gateway.url}/.well-known/jwks.json` } });
    const tokenUrl = `${gateway.url}/v1/auth/token`;
    for (const account of [...first.filter((o) => o.clientId !== 'svc-vault'), ...rotated.filter((o) => o.status === 'rotated')]) {
      const source = new ServiceTokenSource({ tokenUrl, clientId: account.clientId, clientSecret: account.clientSecret as string });
      const token = await source.token();
      expect(await source.token()).toBe(token); // cached
      expect(await verifier.verify(token)).toMatchObject({ type: 'service', id: account.clientId, roles: [account.clientId] });
    }
    // The vault's first secret no longer works after its rotation.
    const stale = new ServiceTokenSource({ tokenUrl, clientId: 'svc-vault', clientSecret: first.find((o) => o.clientId === 'svc-vault')?.clientSecret as string });
    await expect(stale.token()).rejects.toEqual(expect.objectContaining({ name: ServiceTokenError.name, status: 401 }));
  });
});

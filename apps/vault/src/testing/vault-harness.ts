import { generateSigningKey, issueToken, type SigningKey } from '@vigil/auth';
import { loadConfig } from '@vigil/config';
import { SecurityEventRecorder } from '@vigil/kafka';
import { createLogger } from '@vigil/observability';
import { startService, type RunningService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, registerSecretForLeakScan, serviceEnv, testPrefix, type ThrowawayDatabase } from '@vigil/testing';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'pg';
import { AppModule } from '../app.module';
import { vaultConfig } from '../vault.config';

// For the vault's integration tests: the vault as its main starts it, against the local
// Postgres (a throwaway database), Kafka and registry (topics under a unique prefix), with
// tokens signed by a test key served from a real local JWKS endpoint, and a recorder of
// what it produced on audit.events.v1 / security.incidents.v1.

export const TEST_ISSUER = 'vigil-test-issuer';

export type Who = 'admin' | 'officer' | 'gateway' | 'audit-writer' | 'alerter' | 'stale-admin';

export interface VaultHarness {
  db: ThrowawayDatabase;
  pool: Pool;
  prefix: string;
  masterKey: string;
  recorder: SecurityEventRecorder;
  /** Every log line of every vault this harness started, at trace level, for "no secret in the logs" scans. */
  logs: string[];
  /** Starts a vault on this database and prefix; `env` overrides the test defaults. */
  start(env?: Record<string, string | undefined>): Promise<RunningService>;
  token(who: Who): Promise<string>;
  call(service: RunningService, who: Who | undefined, method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; text: string }>; // eslint-disable-line @typescript-eslint/no-explicit-any
  until<T>(what: string, probe: () => Promise<T | undefined>, tries?: number): Promise<T>;
  close(): Promise<void>;
}

/** `logLevel`: what the vaults log (default trace, every line kept in `logs`); `keepLogs: false` formats them (as in production) but drops them. */
export async function createVaultHarness(defaults: Record<string, string> = {}, options: { logLevel?: 'trace' | 'info'; keepLogs?: boolean } = {}): Promise<VaultHarness> {
  const db = await createThrowawayDatabase();
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const signingKey: SigningKey = await generateSigningKey('test-key');
  const jwks: Server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [signingKey.publicJwk] })));
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  const jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
  const prefix = testPrefix();
  const masterKey = registerSecretForLeakScan(randomBytes(32).toString('base64'), 'vault master key (base64)');
  registerSecretForLeakScan(Buffer.from(masterKey, 'base64'), 'vault master key');
  const infra = infraEnv();
  const recorder = new SecurityEventRecorder({ brokers: infra.kafkaBrokers, topicPrefix: prefix, registryUrl: infra.registryUrl, clientId: 'vault-int-test' });

  const logs: string[] = [];
  const start = (env: Record<string, string | undefined> = {}) => {
    const config = loadConfig(vaultConfig, {
      ...process.env,
      ...serviceEnv(infra, prefix),
      VIGIL_DATABASE_URL: db.url,
      VIGIL_HTTP_PORT: '0',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_VAULT_MASTER_KEY: masterKey,
      VIGIL_VAULT_AUTH_ISSUER: TEST_ISSUER,
      VIGIL_VAULT_AUTH_JWKS_URL: jwksUrl,
      ...defaults,
      ...env,
    });
    return startService({ name: 'vault', module: AppModule, config, logger: createLogger('vault', options.logLevel ?? 'trace', { write: (line: string) => (options.keepLogs === false ? 0 : logs.push(line)) }) });
  };

  const token = async (who: Who) => {
    const now = Math.floor(Date.now() / 1000);
    const user = (roles: string[], authTime = now) => ({ subject: `${who}-user`, principalType: 'user' as const, roles, amr: ['pwd', 'otp'], authTime });
    const service = (name: string) => ({ subject: `svc-${name}`, principalType: 'service' as const, roles: [`svc-${name}`], amr: [], authTime: now });
    const claims = {
      admin: user(['admin']),
      'stale-admin': user(['admin'], now - 3600),
      officer: user(['security-officer']),
      gateway: service('auth-gateway'),
      'audit-writer': service('audit-writer'),
      alerter: service('alerter'),
    }[who];
    return registerSecretForLeakScan(await issueToken(signingKey, { issuer: TEST_ISSUER, audience: 'vault', ttlSec: 300, ...claims }), `vault test token (${who})`);
  };

  const call: VaultHarness['call'] = async (service, who, method, path, body, headers = {}) => {
    registerRequestSecrets(method, path, body);
    const all: Record<string, string> = { 'content-type': 'application/json', ...headers };
    if (who) all.authorization = `Bearer ${await token(who)}`;
    const res = await fetch(`${service.url}${path}`, { method, headers: all, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, text };
  };

  const until: VaultHarness['until'] = async (what, probe, tries = 150) => {
    for (let i = 0; i < tries; i++) {
      const value = await probe();
      if (value !== undefined) return value;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`timed out waiting for ${what}`);
  };

  return {
    db,
    pool,
    prefix,
    masterKey,
    recorder,
    logs,
    start,
    token,
    call,
    until,
    close: async () => {
      await recorder.stop();
      await pool.end();
      await new Promise((resolve) => jwks.close(resolve));
      await db.drop();
    },
  };
}

/**
 * For the suite-wide leak scan: the secret values a test writes (every string under `data`
 * of a secrets write) and the transit plaintexts it encrypts (base64 and the bytes), named
 * by path. Values under 8 bytes are left out by registerSecretForLeakScan.
 */
function registerRequestSecrets(method: string, path: string, body: unknown): void {
  if (!body || typeof body !== 'object') return;
  const request = body as { data?: unknown; plaintext?: unknown; batch?: unknown };
  if (method === 'PUT' && path.startsWith('/v1/secrets/data/') && request.data && typeof request.data === 'object') {
    for (const [key, value] of Object.entries(request.data)) if (typeof value === 'string') registerSecretForLeakScan(value, `vault secret value ${path.split('?')[0]}#${key}`);
  }
  if (path.startsWith('/v1/transit/encrypt/')) {
    const plaintexts = [request.plaintext, ...(Array.isArray(request.batch) ? request.batch.map((item: { plaintext?: unknown }) => item?.plaintext) : [])];
    for (const plaintext of plaintexts) {
      if (typeof plaintext !== 'string') continue;
      registerSecretForLeakScan(plaintext, `vault transit plaintext (base64) ${path}`);
      registerSecretForLeakScan(Buffer.from(plaintext, 'base64'), `vault transit plaintext ${path}`);
    }
  }
}

import type { Type } from '@nestjs/common';
import { baseServiceConfig, loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { startService, type RunningService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, registerSecretForLeakScan, registerSecretsInBody, serviceEnv, type ThrowawayDatabase } from '@vigil/testing';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { until } from './alerter-harness';

/* The mitigation tests run against the REAL auth-gateway and vault, started in-process as their
   own app tests start them. Required lazily and typed here by what is used, so that the alerter's
   typecheck and module boundaries do not take in the other apps' sources (test support only). */
const load = <T>(file: string): T => require(path.join(__dirname, '../../..', file)) as T;
const gatewayApp = () => ({
  ...load<{ AppModule: Type }>('auth-gateway/src/app.module'),
  ...load<{ authGatewayConfig: ConfigSchema }>('auth-gateway/src/auth-gateway.config'),
  ...load<{ base32Decode: (text: string) => Buffer }>('auth-gateway/src/mfa/base32'),
  ...load<{ totp: (secret: Uint8Array, timeMs: number) => string }>('auth-gateway/src/mfa/totp'),
  ...load<{ bootstrapAdmin: (pool: Pool, username: string, password: string) => Promise<{ created: boolean; message?: string }> }>('auth-gateway/src/users/bootstrap-admin'),
});
const vaultApp = () => ({ ...load<{ AppModule: Type }>('vault/src/app.module'), ...load<{ vaultConfig: ConfigSchema }>('vault/src/vault.config') });
type ConfigSchema = ReturnType<typeof baseServiceConfig>;

export interface Session {
  userId: string;
  accessToken: string;
  refreshToken: string;
}

/** JSON over HTTP with an optional bearer token; answers status and parsed body. */
export async function http(baseUrl: string, method: string, urlPath: string, body?: unknown, token?: string) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  registerSecretsInBody(body, `alerter test request ${method} ${urlPath}`);
  const res = await fetch(`${baseUrl}${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  // The tests read answers by their shape in their assertions.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  registerSecretsInBody(json, `alerter test answer ${method} ${urlPath}`);
  return { status: res.status, body: json as Record<string, any> };
}

/**
 * The real auth-gateway and vault on the given topic prefix (so their audit events and the
 * gateway's security incidents land where the alerter reads), each on a throwaway database;
 * the vault trusts the gateway's JWKS. People log in through the gateway's real password +
 * TOTP flow and get real, stepped-up tokens.
 */
export class PeerServices {
  gateway!: RunningService;
  vault!: RunningService;
  gatewayPool!: Pool;
  private gatewayDb!: ThrowawayDatabase;
  private vaultDb!: ThrowawayDatabase;
  private readonly dir = mkdtempSync(path.join(tmpdir(), 'alerter-peers-'));
  private admin?: Session;

  /** vaultEnv: extra vault settings (e.g. a short VIGIL_VAULT_LEASE_TTL to see a rotation followed). */
  constructor(
    private readonly prefix: string,
    private readonly vaultEnv: Record<string, string> = {},
  ) {}

  get jwksUrl(): string {
    return `${this.gateway.url}/.well-known/jwks.json`;
  }

  async start(): Promise<void> {
    [this.gatewayDb, this.vaultDb] = await Promise.all([createThrowawayDatabase(), createThrowawayDatabase()]);
    this.gatewayPool = new Pool({ connectionString: this.gatewayDb.url, max: 2 });
    const seedKeyFile = path.join(this.dir, 'seed.key');
    writeFileSync(seedKeyFile, registerSecretForLeakScan(randomBytes(32).toString('base64'), 'auth-gateway seed key (alerter peers)'), { mode: 0o600 });
    const gw = gatewayApp();
    const vault = vaultApp();
    const base = { ...process.env, ...serviceEnv(infraEnv(), this.prefix), VIGIL_HTTP_PORT: '0', VIGIL_LOG_LEVEL: 'silent' };
    this.gateway = await startService({
      name: 'auth-gateway',
      module: gw.AppModule,
      // Every request comes from 127.0.0.1: keep the per-address lock out of the per-account brute force.
      config: loadConfig(gw.authGatewayConfig, { ...base, VIGIL_DATABASE_URL: this.gatewayDb.url, VIGIL_AUTH_SEED_KEY_FILE: seedKeyFile, VIGIL_AUTH_IP_LOCK_THRESHOLD: '1000' }),
      logger: createLogger('auth-gateway', 'silent'),
    });
    await until('the gateway to be ready', async () => ((await fetch(`${this.gateway.url}/readyz`)).status === 200 ? true : undefined));
    this.vault = await startService({
      name: 'vault',
      module: vault.AppModule,
      config: loadConfig(vault.vaultConfig, { ...base, VIGIL_DATABASE_URL: this.vaultDb.url, VIGIL_VAULT_MASTER_KEY: registerSecretForLeakScan(randomBytes(32).toString('base64'), 'vault master key (alerter peers)'), VIGIL_VAULT_AUTH_JWKS_URL: this.jwksUrl, ...this.vaultEnv }),
      logger: createLogger('vault', 'silent'),
    });
    await until('the vault to be ready', async () => ((await fetch(`${this.vault.url}/readyz`)).status === 200 ? true : undefined));
  }

  /** The first admin (bootstrap), enrolled in MFA: a fresh, stepped-up session. */
  async adminSession(): Promise<Session> {
    if (this.admin) return this.admin;
    const password = `admin pass ${randomBytes(8).toString('hex')}`;
    const created = await gatewayApp().bootstrapAdmin(this.gatewayPool, 'root-admin', password);
    if (!created.created) throw new Error(`bootstrap admin: ${created.message}`);
    this.admin = await this.enrol('root-admin', password);
    return this.admin;
  }

  /** A user created by the admin with these roles, logged in and enrolled (a session at the gateway). */
  async user(username: string, roles: string[]): Promise<Session & { password: string }> {
    const admin = await this.adminSession();
    const password = `user pass ${randomBytes(8).toString('hex')}`;
    const created = await http(this.gateway.url, 'POST', '/v1/admin/users', { username, password, roles }, admin.accessToken);
    if (created.status !== 201) throw new Error(`create ${username}: ${created.status} ${JSON.stringify(created.body)}`);
    return { ...(await this.enrol(username, password)), password };
  }

  private async enrol(username: string, password: string): Promise<Session> {
    const login = await http(this.gateway.url, 'POST', '/v1/auth/login', { username, password });
    if (login.body.status !== 'mfa_enrolment_required') throw new Error(`login ${username}: ${login.status} ${JSON.stringify(login.body)}`);
    const enrolment = await http(this.gateway.url, 'POST', '/v1/auth/mfa/enrol', { enrolmentToken: login.body.enrolmentToken });
    const { base32Decode, totp } = gatewayApp();
    const seed = registerSecretForLeakScan(base32Decode(enrolment.body.manualEntryKey as string), `TOTP seed of ${username}`);
    const confirmed = await http(this.gateway.url, 'POST', '/v1/auth/mfa/enrol/confirm', { enrolmentToken: login.body.enrolmentToken, code: totp(seed, Date.now()) });
    if (confirmed.status !== 200) throw new Error(`enrol ${username}: ${confirmed.status} ${JSON.stringify(confirmed.body)}`);
    const userId = (await this.gatewayPool.query<{ id: string }>('SELECT id FROM auth.users WHERE username = $1', [username])).rows[0]?.id as string;
    return { userId, accessToken: confirmed.body.accessToken as string, refreshToken: confirmed.body.refreshToken as string };
  }

  async stop(): Promise<void> {
    await this.vault?.stop('test');
    await this.gateway?.stop('test');
    await this.gatewayPool?.end();
    await Promise.all([this.gatewayDb?.drop(), this.vaultDb?.drop()]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

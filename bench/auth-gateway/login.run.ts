/**
 * The gateway's login path, in process against the local Postgres (a throwaway database),
 * Redis and Kafka:
 *  - Argon2id (OWASP m=19 MiB, t=2, p=1) hash latency: the floor of every password check;
 *  - POST /v1/auth/login for an unknown user and for a known user with a wrong password,
 *    interleaved: their latency distributions should match (no user enumeration by timing);
 *  - POST /v1/auth/refresh rotations per second (one session, sequential).
 * Aim (issue 5): unknown-user and wrong-password p50 within a few percent of each other.
 *
 * Run: npm run bench -- auth-gateway — or alone:
 *   SWC_NODE_PROJECT=bench/tsconfig.json node_modules/.bin/node -r @swc-node/register bench/auth-gateway/login.run.ts
 * Env: BENCH_LOGINS (per arm, default 200), BENCH_REFRESHES (default 500), BENCH_RESULT_FILE.
 */
import { loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { startService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, serviceEnv, testPrefix } from '@vigil/testing';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { AppModule } from '../../apps/auth-gateway/src/app.module';
import { authGatewayConfig } from '../../apps/auth-gateway/src/auth-gateway.config';
import { PasswordHasher } from '../../apps/auth-gateway/src/passwords/password-hasher';
import { AuthStore } from '../../apps/auth-gateway/src/store/auth.store';

const LOGINS = Number(process.env['BENCH_LOGINS'] ?? 200);
const REFRESHES = Number(process.env['BENCH_REFRESHES'] ?? 500);
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, '..', 'results', 'auth-gateway-login.json');
// The wrong-password arm spreads over several users, each kept under the 100-per-hour cap.
const KNOWN_USERS = Math.max(1, Math.ceil(LOGINS / 80));

interface Latency { n: number; p50Ms: number; p90Ms: number; p99Ms: number; meanMs: number }
const round = (v: number) => Math.round(v * 1000) / 1000;
function latency(samples: number[]): Latency {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(s[Math.min(s.length - 1, Math.floor(q * s.length))]);
  return { n: s.length, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), meanMs: round(s.reduce((a, b) => a + b, 0) / s.length) };
}

async function main(): Promise<void> {
  const db = await createThrowawayDatabase();
  const prefix = testPrefix();
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gw-bench-')), 'seed.key');
  fs.writeFileSync(keyFile, randomBytes(32).toString('base64'), { mode: 0o600 });
  const config = loadConfig(authGatewayConfig, {
    ...process.env,
    ...serviceEnv(infraEnv(), prefix),
    VIGIL_DATABASE_URL: db.url,
    VIGIL_HTTP_PORT: '0',
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_AUTH_SEED_KEY_FILE: keyFile,
    VIGIL_AUTH_LOCK_THRESHOLD: '1000',
    VIGIL_AUTH_IP_LOCK_THRESHOLD: '10000',
    // The request-rate limits of the credential endpoints would refuse a benchmark's pace.
    VIGIL_RATE_LOGIN_IP_PER_SEC: '1000000',
    VIGIL_RATE_LOGIN_IP_BURST: '1000000',
    VIGIL_RATE_LOGIN_ACCOUNT_PER_SEC: '1000000',
    VIGIL_RATE_LOGIN_ACCOUNT_BURST: '1000000',
  });
  const gateway = await startService({ name: 'auth-gateway', module: AppModule, config, logger: createLogger('auth-gateway', 'silent') });
  const pool = new Pool({ connectionString: db.url, max: 2 });
  try {
    const hasher = new PasswordHasher();
    const hashMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const t = performance.now();
      await hasher.hash(`bench password ${i}`);
      hashMs.push(performance.now() - t);
    }

    const store = new AuthStore(pool);
    const users = Array.from({ length: KNOWN_USERS }, (_, i) => `bench-user-${i}`);
    for (const username of users) await store.createUser({ id: crypto.randomUUID(), username, passwordHash: await hasher.hash(`right password ${username}`), roles: ['sre'] });

    const login = async (username: string) => {
      const t = performance.now();
      const res = await fetch(`${gateway.url}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password: 'a wrong password 1' }) });
      await res.text();
      if (res.status !== 401) throw new Error(`login for the bench answered ${res.status}, expected 401`);
      return performance.now() - t;
    };
    // Warm-up: JIT, pools, the dummy hash.
    for (let i = 0; i < 10; i++) await login(`warm-${i}`);
    const unknown: number[] = [];
    const wrong: number[] = [];
    for (let i = 0; i < LOGINS; i++) {
      unknown.push(await login(`nobody-${i}-${randomBytes(4).toString('hex')}`));
      wrong.push(await login(users[i % users.length]));
    }

    // One session (minted directly: a refresh needs no MFA), then sequential rotations.
    const session = crypto.randomUUID();
    const { createHash } = await import('node:crypto');
    let refreshToken = randomBytes(32).toString('base64url');
    const userId = (await store.findUserByName(users[0]))?.id ?? '';
    await store.createSession(
      { id: session, userId, authTime: new Date(), amr: ['pwd', 'otp'], expiresAt: new Date(Date.now() + 3_600_000) },
      { tokenHash: createHash('sha256').update(refreshToken).digest(), expiresAt: new Date(Date.now() + 3_600_000) },
    );
    const started = performance.now();
    for (let i = 0; i < REFRESHES; i++) {
      const res = await fetch(`${gateway.url}/v1/auth/refresh`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ refreshToken }) });
      const body = (await res.json()) as { refreshToken?: string };
      if (res.status !== 200 || !body.refreshToken) throw new Error(`refresh ${i} answered ${res.status}`);
      refreshToken = body.refreshToken;
    }
    const refreshSec = (performance.now() - started) / 1000;

    const u = latency(unknown);
    const w = latency(wrong);
    const result = {
      bench: 'auth-gateway-login',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      argon2idHash: latency(hashMs),
      loginUnknownUser: u,
      loginWrongPassword: w,
      p50RatioUnknownToWrong: round(u.p50Ms / w.p50Ms),
      refreshRotationsPerSec: round(REFRESHES / refreshSec),
    };
    fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
    fs.writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2));
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await pool.end();
    await gateway.stop('bench');
    await db.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

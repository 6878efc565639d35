/**
 * Throughput of the gateway's proxy: GET /api/vault/v1/secrets/data/bench through the gateway
 * (token verified, session checked in Redis, two rate-limit buckets in Redis, RBAC decision,
 * the decision audited to Kafka, forwarded with undici) against the same trivial upstream hit
 * directly, in the same run, with the same load generator and concurrency.
 * Aim (issue 5): proxied requests/s ≥ 0.5 × direct.
 *
 * A third arm, a bare Node.js hop (bare-proxy.mjs: undici forward, nothing else), shows how
 * much of the gap is one more Node.js HTTP hop and how much is the gateway's own work.
 *
 * The gateway runs in this process (real Postgres in a throwaway database, Redis, Kafka); the
 * upstream and the load generator are separate processes. The machine's 2 cores are shared with
 * them and with whatever else runs: the ratio is the figure to read, and it is noisy.
 *
 * Run: flock /tmp/vigil/bench.lock npm run bench -- auth-gateway-proxy
 * Env: BENCH_CONCURRENCY (default 32), BENCH_SECONDS per arm (default 5), BENCH_ROUNDS (default 3), BENCH_RESULT_FILE.
 */
import { issueToken } from '@vigil/auth';
import { loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { startService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, serviceEnv, testPrefix } from '@vigil/testing';
import { spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { Pool } from 'pg';
import { AppModule } from '../../apps/auth-gateway/src/app.module';
import { authGatewayConfig } from '../../apps/auth-gateway/src/auth-gateway.config';
import { activeSigningKey, liveSession } from '../../apps/auth-gateway/src/test-support/gateway-test-kit';

const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 32);
const SECONDS = Number(process.env['BENCH_SECONDS'] ?? 5);
const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, '..', 'results', 'auth-gateway-proxy.json');
const node = process.execPath;

interface LoadResult {
  requests: number;
  errors: number;
  statuses: Record<string, number>;
  rps: number;
  p50Ms: number;
  p99Ms: number;
}

function firstLine(child: ReturnType<typeof spawn>): Promise<string> {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: child.stdout! });
    lines.once('line', (line) => resolve(line));
    child.once('exit', (code) => reject(new Error(`${String(child.spawnargs[1])} exited with ${code} before answering`)));
  });
}

async function load(url: string, seconds: number, headers: Record<string, string> = {}): Promise<LoadResult> {
  const child = spawn(node, [path.join(__dirname, 'proxy-load.mjs'), url, String(CONCURRENCY), String(seconds), JSON.stringify(headers)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return JSON.parse(await firstLine(child)) as LoadResult;
}

async function main(): Promise<void> {
  const upstream = spawn(node, [path.join(__dirname, 'upstream.mjs')], { stdio: ['ignore', 'pipe', 'inherit'] });
  const upstreamUrl = `http://127.0.0.1:${(await firstLine(upstream)).trim()}`;
  const bare = spawn(node, [path.join(__dirname, 'bare-proxy.mjs'), upstreamUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  const bareUrl = `http://127.0.0.1:${(await firstLine(bare)).trim()}`;
  const db = await createThrowawayDatabase();
  const seedKey = randomBytes(32);
  const keyFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'gw-proxy-bench-')), 'seed.key');
  fs.writeFileSync(keyFile, seedKey.toString('base64'), { mode: 0o600 });
  const unlimited = '1000000';
  const config = loadConfig(authGatewayConfig, {
    ...process.env,
    ...serviceEnv(infraEnv(), testPrefix()),
    VIGIL_DATABASE_URL: db.url,
    VIGIL_HTTP_PORT: '0',
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_AUTH_SEED_KEY_FILE: keyFile,
    VIGIL_UPSTREAM_VAULT_URL: upstreamUrl,
    // The buckets are still taken on every request (two Redis calls); they just never run dry.
    VIGIL_RATE_PROXY_PRINCIPAL_PER_SEC: unlimited,
    VIGIL_RATE_PROXY_PRINCIPAL_BURST: unlimited,
    VIGIL_RATE_PROXY_IP_PER_SEC: unlimited,
    VIGIL_RATE_PROXY_IP_BURST: unlimited,
  });
  const gateway = await startService({ name: 'auth-gateway', module: AppModule, config, logger: createLogger('auth-gateway', 'silent') });
  const pool = new Pool({ connectionString: db.url, max: 2 });
  try {
    await fetch(`${gateway.url}/.well-known/jwks.json`); // the first signing key
    const userId = randomUUID();
    await pool.query(`insert into auth.users (id, username, password_hash, roles, mfa_state) values ($1, 'bench-admin', 'x', '{admin}', 'enrolled')`, [userId]);
    const sessionId = await liveSession(pool, userId, randomUUID());
    const token = await issueToken(
      await activeSigningKey(pool, seedKey),
      { issuer: config.VIGIL_AUTH_ISSUER, audience: ['auth-gateway', 'vault'], subject: userId, principalType: 'user', roles: ['admin'], authTime: Math.floor(Date.now() / 1000), amr: ['pwd', 'otp'], ttlSec: 3600, sessionId },
    );
    const auth = { authorization: `Bearer ${token}` };
    const proxied = `${gateway.url}/api/vault/v1/secrets/data/bench`;
    const direct = `${upstreamUrl}/v1/secrets/data/bench`;

    const bareHop = `${bareUrl}/v1/secrets/data/bench`;

    // Warm-up: connections, JIT, the key set and the producer.
    await load(proxied, 2, auth);
    await load(direct, 1, auth);
    await load(bareHop, 1, auth);
    // Rounds of the three arms in turn, so a burst of load from elsewhere on the machine hits
    // every arm alike; the medians are reported.
    const rounds: Array<{ direct: LoadResult; bare: LoadResult; proxied: LoadResult }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      rounds.push({ direct: await load(direct, SECONDS, auth), bare: await load(bareHop, SECONDS, auth), proxied: await load(proxied, SECONDS, auth) });
    }
    const median = (values: number[]) => [...values].sort((x, y) => x - y)[Math.floor(values.length / 2)];
    const summary = (pick: (round: (typeof rounds)[number]) => LoadResult) => ({
      rps: median(rounds.map((round) => pick(round).rps)),
      p50Ms: median(rounds.map((round) => pick(round).p50Ms)),
      p99Ms: median(rounds.map((round) => pick(round).p99Ms)),
      errors: rounds.reduce((sum, round) => sum + pick(round).errors, 0),
    });
    const directSummary = summary((round) => round.direct);
    const bareSummary = summary((round) => round.bare);
    const proxiedSummary = summary((round) => round.proxied);
    const result = {
      bench: 'auth-gateway-proxy',
      when: new Date().toISOString(),
      concurrency: CONCURRENCY,
      secondsPerArm: SECONDS,
      rounds: ROUNDS,
      path: 'GET /api/vault/v1/secrets/data/bench (admin token; verify EdDSA (cached) + session + 2 rate buckets + RBAC + audit to Kafka + forward)',
      direct: directSummary,
      bareNodeHop: bareSummary,
      proxied: proxiedSummary,
      ratio: Math.round((proxiedSummary.rps / directSummary.rps) * 1000) / 1000,
      bareHopRatio: Math.round((bareSummary.rps / directSummary.rps) * 1000) / 1000,
      proxiedVsBareHop: Math.round((proxiedSummary.rps / bareSummary.rps) * 1000) / 1000,
      perRound: rounds.map((round) => ({ direct: round.direct.rps, bare: round.bare.rps, proxied: round.proxied.rps })),
      aim: 'ratio >= 0.5',
      machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), shared; load average at the end ${os.loadavg()[0].toFixed(1)}`,
    };
    fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
    fs.writeFileSync(RESULT_FILE, JSON.stringify(result, null, 2));
    console.log(JSON.stringify(result, null, 2));
    const bad = rounds.filter((round) => round.proxied.errors > 0 || Object.keys(round.proxied.statuses).some((status) => status !== '200'));
    if (bad.length > 0) throw new Error(`the proxy arm had errors or non-200 answers: ${JSON.stringify(bad.map((round) => round.proxied.statuses))}`);
  } finally {
    await pool.end();
    await gateway.stop('bench');
    await db.drop();
    upstream.kill('SIGTERM');
    bare.kill('SIGTERM');
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);

/**
 * The vault, in process against the local Postgres (a throwaway database) and Kafka (topics
 * under a unique prefix), called over loopback HTTP with a service token, as services call it:
 *  - secret reads (GET /v1/secrets/data/db/audit-writer: token check, RBAC, two selects, a
 *    lease insert, AES-256-GCM open, and the audit event produced with acks=all before the
 *    answer): sequential latency (p50/p90/p99) over BENCH_SAMPLES reads (default 1000) and
 *    throughput with BENCH_CONCURRENCY callers (default 16) over BENCH_READS reads (default 4000);
 *  - the same reads in the same run with VaultAudit.record replaced by a no-op (what the
 *    audit costs), a plain Postgres select of the same row through a pool (the storage
 *    floor) and GET /v1/sys/seal-status (the HTTP floor: no token, query or audit);
 *  - transit encrypt ops/s: single-item requests with BENCH_CONCURRENCY callers, and batches
 *    of 100 (each request is one audit event), with audit on.
 * The HTTP calls come from a worker thread (support/http-client-worker.ts), as from another
 * process: the client's own work does not run on the vault's event loop.
 * Aim (issue 6): p99 < 5 ms for an audited read on loopback. HashiCorp Vault's published
 * transit example is ~1.8k ops/s (different machine; quoted, not measured here).
 *
 * BENCH_WARMUP (default 2000) audited reads go first and are not measured.
 *
 * Run: flock /tmp/vigil/bench.lock npm run bench -- vault. It re-runs itself with
 * SWC_NODE_PROJECT set (support/decorated-child.ts: the vault's Nest classes need decorators).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { runDecorated } from './support/decorated-child';
import { HttpClientWorker, type RepeatedRequest } from './support/http-client-worker';

const SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 1000);
const READS = Number(process.env['BENCH_READS'] ?? 4000);
const CONCURRENCY = Number(process.env['BENCH_CONCURRENCY'] ?? 16);
const ENCRYPTS = Number(process.env['BENCH_ENCRYPTS'] ?? 4000);
const BATCHES = Number(process.env['BENCH_BATCHES'] ?? 40);
const WARMUP = Number(process.env['BENCH_WARMUP'] ?? 2000);
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, 'results', 'vault.json');

const round = (v: number) => Math.round(v * 1000) / 1000;
function latency(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN);
  return { n: s.length, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: at(1), meanMs: round(s.reduce((a, b) => a + b, 0) / s.length) };
}

/** `total` calls of `op` spread over `workers` concurrent loops; ops/s. */
async function throughput(total: number, workers: number, op: () => Promise<void>): Promise<{ ops: number; seconds: number; opsPerSec: number }> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async () => {
      while (next < total) {
        next++;
        await op();
      }
    }),
  );
  return rate(total, (performance.now() - t0) / 1000);
}

function rate(total: number, seconds: number) {
  return { ops: total, seconds: round(seconds), opsPerSec: Math.round(total / seconds) };
}

async function sequential(n: number, op: () => Promise<void>): Promise<ReturnType<typeof latency>> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await op();
    samples.push(performance.now() - t);
  }
  return latency(samples);
}

/** Sequential latency over `samples` requests, then throughput over `total` with `workers` callers. */
async function httpLoad(client: HttpClientWorker, request: RepeatedRequest, samples: number, total: number, workers: number) {
  return { latency: latency(await client.sequential(request, samples)), throughput: rate(total, await client.concurrent(request, total, workers)) };
}

async function main(): Promise<void> {
  const { createVaultHarness } = require('../apps/vault/src/testing/vault-harness') as typeof import('../apps/vault/src/testing/vault-harness');
  const { VaultAudit } = require('../apps/vault/src/audit/vault-audit') as typeof import('../apps/vault/src/audit/vault-audit');
  const { Pool } = require('pg') as typeof import('pg');

  // Leases long enough for the run; the counter block large so transit is not Postgres-bound on reservations.
  // Logs at info, as in production (one request line each, formatted and redacted), written nowhere.
  const h = await createVaultHarness({ VIGIL_VAULT_LEASE_TTL: '1h', VIGIL_VAULT_TRANSIT_COUNTER_BLOCK: '10000' }, { logLevel: 'info', keepLogs: false });
  const vault = await h.start();
  const pool = new Pool({ connectionString: h.db.url, max: CONCURRENCY });
  const client = new HttpClientWorker();
  try {
    for (let i = 0; i < 300 && (await fetch(`${vault.url}/readyz`)).status !== 200; i++) await new Promise((r) => setTimeout(r, 100));
    const put = await h.call(vault, 'admin', 'PUT', '/v1/secrets/data/db/audit-writer', { data: { user: 'audit_writer', password: 'bench-password-value' } });
    if (put.status !== 200) throw new Error(`bench: could not write the secret: ${put.text}`);
    await h.call(vault, 'officer', 'POST', '/v1/transit/keys/bench');
    // One token for the run, as a service caches its token (the bench measures the vault, not token signing).
    const serviceToken = await h.token('audit-writer');
    const gatewayToken = await h.token('gateway');
    const read: RepeatedRequest = { url: `${vault.url}/v1/secrets/data/db/audit-writer`, headers: { authorization: `Bearer ${serviceToken}` } };
    const plaintext = Buffer.from('a 32-byte totp seed, for example').toString('base64');
    const encrypt = (body: unknown): RepeatedRequest => ({
      url: `${vault.url}/v1/transit/encrypt/bench`,
      method: 'POST',
      headers: { authorization: `Bearer ${gatewayToken}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const sealStatus: RepeatedRequest = { url: `${vault.url}/v1/sys/seal-status` };
    const plainSelect = async () => {
      await pool.query('select ciphertext from vault.secret_versions where path = $1 and version = $2', ['db/audit-writer', 1]);
    };

    // Warm-up: JIT, connections, token cache, producer metadata. 200 reads left the first measurement
    // visibly colder than a repeat of it (p90 2.6 vs 1.95 ms, p99 5.3 vs 4.6 ms on one run), so the
    // figures describe a vault that has served a few thousand requests, as a running one has.
    await client.sequential(read, WARMUP);
    console.log(`vault bench: ${SAMPLES} sequential reads, then ${READS} with ${CONCURRENCY} callers, audit on / no-op / plain select`);
    const audited = await httpLoad(client, read, SAMPLES, READS, CONCURRENCY);

    const realRecord = VaultAudit.prototype.record;
    VaultAudit.prototype.record = async () => undefined; // the same vault, its audit sink a no-op
    let noop;
    try {
      await client.sequential(read, 100);
      noop = await httpLoad(client, read, SAMPLES, READS, CONCURRENCY);
    } finally {
      VaultAudit.prototype.record = realRecord;
    }
    const select = { latency: await sequential(SAMPLES, plainSelect), throughput: await throughput(READS, CONCURRENCY, plainSelect) };
    // The HTTP floor: the same server answering a route with no token, query or audit.
    const http = await httpLoad(client, sealStatus, SAMPLES, READS, CONCURRENCY);

    await client.sequential(encrypt({ plaintext }), 100);
    const transitSingle = rate(ENCRYPTS, await client.concurrent(encrypt({ plaintext }), ENCRYPTS, CONCURRENCY));
    const batchBody = { batch: Array.from({ length: 100 }, () => ({ plaintext })) };
    const transitBatch = rate(BATCHES, await client.concurrent(encrypt(batchBody), BATCHES, Math.min(CONCURRENCY, 4)));

    const result = {
      bench: 'vault',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, loadAverage: os.loadavg().map(round), note: 'shared 2-core machine. The HTTP client runs on a worker thread of the bench process; the plain select runs on the vault\'s thread.' },
      settings: { warmup: WARMUP, samples: SAMPLES, reads: READS, concurrency: CONCURRENCY, encrypts: ENCRYPTS, batches: BATCHES, batchSize: 100 },
      secretReads: {
        auditOnAcksAll: audited,
        auditNoop: noop,
        plainPostgresSelect: select,
        httpFloorSealStatus: http,
        ratios: {
          throughputAuditOnVsNoop: round(audited.throughput.opsPerSec / noop.throughput.opsPerSec),
          throughputAuditOnVsPlainSelect: round(audited.throughput.opsPerSec / select.throughput.opsPerSec),
          p99AuditOnVsNoop: round(audited.latency.p99Ms / noop.latency.p99Ms),
        },
        aimP99Ms: 5,
        p99MetAim: audited.latency.p99Ms < 5,
      },
      transitEncrypt: {
        singleItemRequests: transitSingle,
        batchesOf100: { ...transitBatch, itemsPerSec: transitBatch.opsPerSec * 100 },
        hashicorpPublishedExampleOpsPerSec: 1800,
      },
    };
    fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
    fs.writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await client.close();
    await pool.end();
    await vault.stop('bench');
    await h.close();
  }
}

runDecorated(__filename, 'VAULT_BENCH_CHILD', main);

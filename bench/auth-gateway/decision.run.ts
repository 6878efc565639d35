/**
 * The cost of one authorization decision (libs/auth RbacPolicy.authorize on the shipped
 * policy) and, for scale, of one access-token verification (EdDSA signature + claims):
 * latency percentiles of single calls, timed one by one, over every role × permission of
 * the policy with a mix of fresh and stale sessions. Aim (issue 5): decision p99 < 1 ms.
 * Needs no infrastructure.
 *
 * Run: npm run bench -- auth-decision — or alone:
 *   SWC_NODE_PROJECT=bench/tsconfig.json node_modules/.bin/node -r @swc-node/register bench/auth-gateway/decision.run.ts
 * Env: BENCH_DECISIONS (default 200000), BENCH_VERIFICATIONS (default 5000), BENCH_RESULT_FILE.
 */
import { createTokenVerifier, generateSigningKey, issueToken, RbacPolicy, type AuthzSubject } from '@vigil/auth';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const DECISIONS = Number(process.env['BENCH_DECISIONS'] ?? 200_000);
const VERIFICATIONS = Number(process.env['BENCH_VERIFICATIONS'] ?? 5_000);
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, '..', 'results', 'auth-decision.bench.json');

interface Latency { calls: number; p50Us: number; p99Us: number; p999Us: number; maxUs: number; meanUs: number }

function percentiles(samplesNs: Float64Array): Latency {
  const sorted = Float64Array.from(samplesNs).sort();
  const at = (q: number) => round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] / 1000);
  const mean = sorted.reduce((sum, value) => sum + value, 0) / sorted.length;
  return { calls: sorted.length, p50Us: at(0.5), p99Us: at(0.99), p999Us: at(0.999), maxUs: round(sorted[sorted.length - 1] / 1000), meanUs: round(mean / 1000) };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

async function main(): Promise<void> {
  const policy = RbacPolicy.load();
  const now = Date.now();
  const cases: [AuthzSubject, string][] = [];
  for (const role of policy.roleNames) {
    for (const permission of policy.permissions) {
      cases.push([{ roles: [role], authTime: now / 1000 - 30, amr: ['pwd', 'otp'] }, permission]);
      cases.push([{ roles: [role, 'auditor'], authTime: now / 1000 - 3600, amr: ['pwd'] }, permission]);
    }
  }

  // Warm-up, so the JIT has compiled authorize before the clock starts.
  let allowed = 0;
  for (let i = 0; i < 50_000; i += 1) allowed += Number(policy.authorize(cases[i % cases.length][0], cases[i % cases.length][1], { now }).allowed);

  const decisionNs = new Float64Array(DECISIONS);
  for (let i = 0; i < DECISIONS; i += 1) {
    const [subject, permission] = cases[i % cases.length];
    const started = process.hrtime.bigint();
    const decision = policy.authorize(subject, permission, { now });
    decisionNs[i] = Number(process.hrtime.bigint() - started);
    allowed += Number(decision.allowed);
  }
  const batchStarted = process.hrtime.bigint();
  for (let i = 0; i < DECISIONS; i += 1) allowed += Number(policy.authorize(cases[i % cases.length][0], cases[i % cases.length][1], { now }).allowed);
  const decisionsPerSecond = Math.round(DECISIONS / (Number(process.hrtime.bigint() - batchStarted) / 1e9));

  const key = await generateSigningKey('bench');
  const verifier = createTokenVerifier({ issuer: 'bench', audience: 'vault', keys: { jwks: { keys: [key.publicJwk] } } });
  const token = await issueToken(key, { issuer: 'bench', audience: 'vault', subject: 'alice', principalType: 'user', roles: ['admin'], authTime: Math.floor(now / 1000), amr: ['pwd', 'otp'], ttlSec: 3600 });
  for (let i = 0; i < 500; i += 1) await verifier.verify(token);
  const verifyNs = new Float64Array(VERIFICATIONS);
  for (let i = 0; i < VERIFICATIONS; i += 1) {
    const started = process.hrtime.bigint();
    await verifier.verify(token);
    verifyNs[i] = Number(process.hrtime.bigint() - started);
  }

  const decision = percentiles(decisionNs);
  const result = {
    bench: 'auth-decision',
    at: new Date().toISOString(),
    node: process.version,
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model,
    policyVersion: policy.version,
    cases: cases.length,
    decision,
    decisionsPerSecond,
    tokenVerification: percentiles(verifyNs),
    aim: { decisionP99Us: 1000, met: decision.p99Us < 1000 },
    checksum: allowed,
  };
  fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  fs.writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
  console.log(`authorize: p50 ${decision.p50Us} µs, p99 ${decision.p99Us} µs, p99.9 ${decision.p999Us} µs, max ${decision.maxUs} µs; ${decisionsPerSecond} decisions/s`);
  console.log(`verify (EdDSA + claims): p50 ${result.tokenVerification.p50Us} µs, p99 ${result.tokenVerification.p99Us} µs`);
  console.log(`aim p99 < 1 ms: ${result.aim.met ? 'met' : 'NOT met'}; result in ${path.relative(process.cwd(), RESULT_FILE)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

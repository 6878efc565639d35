// Load generator for bench/auth-gateway/proxy.run.ts, in its own process so it does not share
// an event loop with the gateway: `concurrency` requests kept in flight on keep-alive
// connections for `seconds`, then one JSON line {requests, errors, statuses, rps, p50Ms, p99Ms}.
import { Pool } from 'undici';

const [url, concurrency, seconds, headersJson] = process.argv.slice(2);
const target = new URL(url);
const pool = new Pool(target.origin, { connections: Number(concurrency), pipelining: 1 });
const headers = JSON.parse(headersJson || '{}');
const latencies = [];
const statuses = {};
let errors = 0;
const deadline = performance.now() + Number(seconds) * 1000;

async function worker() {
  while (performance.now() < deadline) {
    const started = performance.now();
    try {
      const { statusCode, body } = await pool.request({ method: 'GET', path: target.pathname + target.search, headers });
      await body.dump();
      statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
      latencies.push(performance.now() - started);
    } catch {
      errors++;
    }
  }
}

const started = performance.now();
await Promise.all(Array.from({ length: Number(concurrency) }, worker));
const elapsed = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const at = (q) => Math.round(latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] * 1000) / 1000;
process.stdout.write(`${JSON.stringify({ requests: latencies.length, errors, statuses, rps: Math.round(latencies.length / elapsed), p50Ms: at(0.5), p99Ms: at(0.99) })}\n`);
await pool.close();

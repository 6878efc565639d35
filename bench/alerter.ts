/**
 * The alerter, in process against the local Postgres (a throwaway database) and Kafka
 * (topics under a unique prefix), paging a local HTTP receiver on 127.0.0.1:
 *  - ingest with dedup: BENCH_ALERTS compliance alerts (default 20,000) over
 *    BENCH_FINGERPRINTS fingerprints (default 100) produced to compliance.alerts.v1 at once;
 *    alerts/s from the first send until every one is counted in Postgres (one upsert each;
 *    only the first per fingerprint opens an incident);
 *  - latency: BENCH_SAMPLES alerts (default 200) with new fingerprints, one at a time, group
 *    wait 0: from just before the Kafka send to the receiver getting the page (p50/p90/p99).
 * Aim (issue 7): p99 alert on Kafka → receiver request < 1 s with group wait off.
 * Baseline, in the same run on the same topic: a bare consumer (libs/kafka's runner, its own
 * group, a handler that only counts and stamps arrival times) reading the same burst and the
 * same latency samples. Ratios: alerter alerts/s ÷ bare consume msgs/s, and the alerter's
 * Kafka → receiver p50/p99 ÷ the bare Kafka → consumer p50/p99. Both run at once on the
 * 2 shared cores, so the numbers are noisy.
 *
 * Run: npm run bench -- alerter. It re-runs itself with SWC_NODE_PROJECT set (the alerter's
 * Nest classes need decorators, which @swc-node/register compiles only with the tsconfig), and
 * loads the alerter only in that child.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ALERTS = Number(process.env['BENCH_ALERTS'] ?? 20_000);
const FINGERPRINTS = Number(process.env['BENCH_FINGERPRINTS'] ?? 100);
const SAMPLES = Number(process.env['BENCH_SAMPLES'] ?? 200);
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, 'results', 'alerter.json');

const round = (v: number) => Math.round(v * 1000) / 1000;
function latency(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => round(s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN);
  return { n: s.length, p50Ms: at(0.5), p90Ms: at(0.9), p99Ms: at(0.99), maxMs: at(1), meanMs: round(s.reduce((a, b) => a + b, 0) / s.length) };
}

async function main(): Promise<void> {
  // Loaded only in the child (see the header). The benchmark drives the app's own classes in process.
  const { loadConfig } = require('@vigil/config') as typeof import('@vigil/config');
  const { complianceAlertsContract, exampleComplianceAlert } = require('@vigil/contracts') as typeof import('@vigil/contracts');
  const { createConsumerRunner, createEventProducer, silentLogger } = require('@vigil/kafka') as typeof import('@vigil/kafka');
  const { createLogger } = require('@vigil/observability') as typeof import('@vigil/observability');
  const { startService } = require('@vigil/service') as typeof import('@vigil/service');
  const { createThrowawayDatabase, infraEnv, serviceEnv, testPrefix } = require('@vigil/testing') as typeof import('@vigil/testing');
  const { Pool } = require('pg') as typeof import('pg');
  const { AppModule } = require('../apps/alerter/src/app.module') as typeof import('../apps/alerter/src/app.module');
  const { alerterConfig } = require('../apps/alerter/src/alerter.config') as typeof import('../apps/alerter/src/alerter.config');
  const { RecordingServer } = require('../apps/alerter/src/test-support/recording-server') as typeof import('../apps/alerter/src/test-support/recording-server');

  const peer = await new RecordingServer().start();
  const arrivals = new Map<string, number>();
  const db = await createThrowawayDatabase();
  const prefix = testPrefix();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'alerter-bench-'));
  fs.writeFileSync(path.join(dir, 'routing.yaml'), `receivers:\n  hook: { type: webhook, url: ${peer.url}/hook, secret: { env: ALERTER_BENCH_SECRET } }\ndefaultReceivers: [hook]\n`);
  process.env['ALERTER_BENCH_SECRET'] = 'bench-secret';
  const config = loadConfig(alerterConfig, {
    ...process.env,
    ...serviceEnv(infraEnv(), prefix),
    VIGIL_DATABASE_URL: db.url,
    VIGIL_HTTP_PORT: '0',
    VIGIL_LOG_LEVEL: 'silent',
    VIGIL_ALERTER_ROUTING_FILE: path.join(dir, 'routing.yaml'),
    VIGIL_ALERTER_GROUP_WAIT: '0s',
  });
  const alerter = await startService({ name: 'alerter', module: AppModule, config, logger: createLogger('alerter', 'silent') });
  const pool = new Pool({ connectionString: db.url, max: 2 });
  const producer = createEventProducer({ brokers: infraEnv().kafkaBrokers, clientId: 'alerter-bench', topicPrefix: prefix });
  const wait = async (what: string, probe: () => Promise<boolean>, timeoutMs = 600_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!(await probe())) {
      if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  // The baseline: a bare consumer of the same topic, counting and stamping arrivals.
  const bare = { count: 0, firstAt: 0, lastAt: 0, arrivals: new Map<string, number>() };
  const baseline = createConsumerRunner<{ fingerprint: string }>({
    brokers: infraEnv().kafkaBrokers,
    clientId: 'alerter-bench-baseline',
    topicPrefix: prefix,
    groupId: `${prefix}bench-baseline`,
    contracts: [complianceAlertsContract] as never,
    logger: silentLogger,
    lagIntervalMs: 0,
    handler: async (messages) => {
      const now = performance.now();
      bare.count += messages.length;
      bare.lastAt = now;
      for (const m of messages) bare.arrivals.set(`compliance:${m.value.fingerprint}`, now);
    },
  });
  try {
    await wait('the alerter ready', async () => (await fetch(`${alerter.url}/readyz`)).status === 200);
    await baseline.start();
    const counted = async () => Number((await pool.query('SELECT coalesce(sum(count), 0)::int AS n FROM alerter.alerts')).rows[0].n);

    // 1. Ingest with dedup.
    const alerts = Array.from({ length: ALERTS }, (_, i) => exampleComplianceAlert({ fingerprint: `bench-${i % FINGERPRINTS}-`.padEnd(64, "0"), venue: `V${i % FINGERPRINTS}` }));
    const t0 = performance.now();
    for (let i = 0; i < alerts.length; i += 2000) await producer.send(complianceAlertsContract, alerts.slice(i, i + 2000));
    const producedMs = performance.now() - t0;
    await wait('every alert counted', async () => (await counted()) >= ALERTS);
    const ingestMs = performance.now() - t0;
    await wait('the bare consumer to read the burst', async () => bare.count >= ALERTS);
    const bareMs = bare.lastAt - t0;
    const incidents = Number((await pool.query('SELECT count(*)::int AS n FROM alerter.incidents')).rows[0].n);
    await wait('the burst pages delivered', async () => Number((await pool.query(`SELECT count(*)::int AS n FROM alerter.deliveries WHERE status = 'delivered'`)).rows[0].n) >= incidents);

    // 2. Latency, Kafka → receiver, one new incident at a time.
    const before = peer.requests.length;
    const origin = new Map<string, number>();
    const samples: number[] = [];
    for (let i = 0; i < SAMPLES; i++) {
      const alert = exampleComplianceAlert({ fingerprint: `lat-${i}-`.padEnd(64, "1"), venue: `L${i}` });
      origin.set(`compliance:${alert.fingerprint}`, performance.now());
      await producer.send(complianceAlertsContract, [alert]);
      await wait(`page ${i}`, async () => peer.requests.length >= before + i + 1, 30_000).catch(async (error: Error) => {
        const state = await pool.query(
          `SELECT (SELECT count(*) FROM alerter.alerts WHERE fingerprint = $1) AS alert, (SELECT count(*) FROM alerter.incidents) AS incidents,
                  (SELECT json_agg(json_build_object('status', status, 'attempts', attempts, 'outcome', outcome)) FROM alerter.deliveries WHERE status <> 'delivered') AS undelivered`,
          [`compliance:${alert.fingerprint}`],
        );
        throw new Error(`${error.message}; state: ${JSON.stringify(state.rows[0])}, requests ${peer.requests.length - before}`);
      });
      const request = peer.requests[before + i];
      const fingerprint = (request?.json as { alerts: { fingerprint: string }[] }).alerts[0]?.fingerprint ?? '';
      arrivals.set(fingerprint, performance.now());
      samples.push((arrivals.get(fingerprint) ?? NaN) - (origin.get(fingerprint) ?? NaN));
    }
    await wait('the bare consumer to read the samples', async () => bare.count >= ALERTS + SAMPLES);
    const bareSamples = [...origin].map(([fingerprint, sentAt]) => (bare.arrivals.get(fingerprint) ?? NaN) - sentAt);
    const alerterLatency = latency(samples);
    const bareLatency = latency(bareSamples);
    const alertsPerSec = Math.round(ALERTS / (ingestMs / 1000));
    const bareMsgsPerSec = Math.round(ALERTS / (bareMs / 1000));
    const result = {
      bench: 'alerter',
      at: new Date().toISOString(),
      machine: { cpus: os.cpus().length, node: process.version },
      ingest: {
        alerts: ALERTS,
        fingerprints: FINGERPRINTS,
        incidents,
        produceMs: round(producedMs),
        totalMs: round(ingestMs),
        alertsPerSec,
        baselineBareConsumeMsgsPerSec: bareMsgsPerSec,
        ratioToBareConsume: round(alertsPerSec / bareMsgsPerSec),
      },
      kafkaToReceiver: { groupWaitMs: 0, pollIntervalMs: config.VIGIL_ALERTER_POLL_INTERVAL, ...alerterLatency, aimP99Ms: 1000 },
      baselineKafkaToBareConsumer: bareLatency,
      latencyRatioToBare: { p50: round(alerterLatency.p50Ms / bareLatency.p50Ms), p99: round(alerterLatency.p99Ms / bareLatency.p99Ms) },
    };
    fs.writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await baseline.stop();
    await producer.close();
    await alerter.stop('bench');
    await pool.end();
    await db.drop();
    await peer.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (!process.env['ALERTER_BENCH_CHILD']) {
  const result = spawnSync(process.execPath, ['-r', '@swc-node/register', __filename], {
    stdio: 'inherit',
    env: { ...process.env, ALERTER_BENCH_CHILD: '1', SWC_NODE_PROJECT: path.join(__dirname, 'tsconfig.json') },
  });
  process.exit(result.status ?? 1);
} else {
  main().then(
    () => process.exit(0),
    (error: Error) => {
      console.error(error);
      process.exit(1);
    },
  );
}

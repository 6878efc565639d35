/**
 * compliance-detector throughput through the real broker and Redis, as a ratio to the raw
 * consume rate of libs/kafka in the same run on the same topic (issue 3 aims at ≥ 0.7):
 *   1. N market.orders.v1 events (20 instruments, 37 accounts, NEW then CANCEL or FILL) are
 *      produced once to a fresh 6-partition topic;
 *   2. raw: a consumer runner whose handler does nothing reads all N (rates of 2 and 3: steady
 *      stream after the first batch, see consumeAll);
 *   3. detector: a consumer runner with the detector's handler (Redis load → all eight rules →
 *      Redis save → alerts produced → confirm) reads all N, under its own Redis key prefix;
 *   4. latency: a paced producer sends a steady BENCH_LATENCY_RATE events/s (default 10,000) for
 *      BENCH_LATENCY_SECONDS (default 20) with event time = wall time (the same order flow, plus a
 *      quote-stuffing burst of a new account twice a second); the detector (handler as in 3, and
 *      the idle flush as the service runs it) publishes compliance.alerts.v1, which a reader takes:
 *      event-to-alert latency = when the reader got the burst's alert − when the burst's last event
 *      was produced. It includes the event-time lateness (rule file, 2 s): an event is judged only
 *      once the watermark (newest event time − lateness) passes it, so that is the floor.
 * Each consume also reports processCpuShare, this process's CPU over its steady stream (1.0 =
 * one full core): when both raw and detector sit near 1, the Node consumer is bound by its own
 * CPU, and the ratio is the per-event cost of detection rather than waiting on Redis or Kafka.
 *
 * Run: npm run bench -- detector, or node_modules/.bin/node -r @swc-node/register bench/detector.ts
 * Env: BENCH_MESSAGES (default 50000), BENCH_MAX_SECONDS (default 120 per measurement),
 * BENCH_LATENCY_RATE, BENCH_LATENCY_SECONDS, BENCH_RULES_FILE (default: the shipped rules), BENCH_RESULT_FILE,
 * BENCH_BATCH_MESSAGES (the runners' maxBatchMessages, raw and detector alike; default 500, the service's default).
 */
import { complianceAlertsContract, marketOrdersContract, type ComplianceAlert, type MarketOrderEvent } from '@vigil/contracts';
import { createConsumerRunner, createEventProducer, defaultTopicSpec, KafkaAdmin, silentLogger } from '@vigil/kafka';
import { deleteRedisKeysByPrefix, infraEnv, testPrefix } from '@vigil/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
// A benchmark measures the app's own code in process, as bench/audit-writer.ts does (lint allows it for bench/).
import { RuleBook } from '../apps/compliance-detector/src/config/rule-book';
import { Detector } from '../apps/compliance-detector/src/detection/detector';
import { RedisDetectorStore } from '../apps/compliance-detector/src/state/redis-detector.store';

const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 50_000);
const MAX_SECONDS = Number(process.env['BENCH_MAX_SECONDS'] ?? 120);
const LATENCY_RATE = Number(process.env['BENCH_LATENCY_RATE'] ?? 10_000);
const LATENCY_SECONDS = Number(process.env['BENCH_LATENCY_SECONDS'] ?? 20);
const RULES_FILE = process.env['BENCH_RULES_FILE'];
const BATCH_MESSAGES = Number(process.env['BENCH_BATCH_MESSAGES'] ?? 500);
const RESULT_FILE = process.env['BENCH_RESULT_FILE'] ?? path.join(__dirname, 'results', 'detector.json');

/**
 * A plausible order flow: 20 instruments, 37 accounts; each order is placed and 5–45 ms later
 * either cancelled (2 in 3) or filled against another account's aggressive order (a trade:
 * two FILLs sharing a tradeId). `at(i)` gives the event time of the i-th order.
 */
function orderFlow(count: number, at: (i: number) => number): MarketOrderEvent[] {
  const out: { ms: number; event: MarketOrderEvent }[] = [];
  for (let i = 0; out.length < count; i++) {
    const ms = at(i);
    const later = ms + 5 + (i % 41);
    const side = i % 2 ? 'BUY' : 'SELL';
    const common = { venue: 'XLON', instrument: `INST${i % 20}`, orderId: `O${i}`, accountId: `ACC${i % 37}`, beneficialOwnerId: `ACC${i % 37}`, side } as const;
    const price = 100 + (i % 7) * 0.01;
    out.push({ ms, event: { eventId: `n${i}`, eventType: 'NEW', ts: iso(ms), ...common, orderType: 'LIMIT', price, quantity: 100 } });
    if (i % 3) {
      out.push({ ms: later, event: { eventId: `c${i}`, eventType: 'CANCEL', ts: iso(later), ...common } });
    } else {
      const fill = { fillQty: 100, fillPrice: price, tradeId: `T${i}`, leavesQty: 0 } as const;
      const taker = (i + 11) % 37;
      out.push({ ms: later, event: { eventId: `f${i}`, eventType: 'FILL', ts: iso(later), ...common, ...fill, aggressor: false } });
      out.push({
        ms: later,
        event: {
          eventId: `g${i}`,
          eventType: 'FILL',
          ts: iso(later),
          ...common,
          orderId: `X${i}`,
          accountId: `ACC${taker}`,
          beneficialOwnerId: `ACC${taker}`,
          side: side === 'BUY' ? 'SELL' : 'BUY',
          ...fill,
          aggressor: true,
        },
      });
    }
  }
  return out
    .sort((a, b) => a.ms - b.ms)
    .slice(0, count)
    .map((e) => e.event);
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Reads all N; the rate is that of the steady stream: from the end of the first batch to the end of
 * the last, over the messages in between. The group join and first fetch before it (~0.2–0.5 s,
 * reported as startSeconds) are not consumption and would weigh more on the faster run.
 */
async function consumeAll(name: string, options: { brokers: string[]; clientId: string; topicPrefix: string }, handler: (batch: MarketOrderEvent[]) => Promise<void>) {
  let seen = 0;
  let first: { at: number; messages: number; cpu: NodeJS.CpuUsage } | undefined;
  let lastAt = 0;
  let lastCpu = process.cpuUsage();
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const started = performance.now();
  const runner = createConsumerRunner<MarketOrderEvent>({
    ...options,
    groupId: `${options.topicPrefix}${name}`,
    contracts: [marketOrdersContract],
    maxBatchMessages: BATCH_MESSAGES,
    logger: silentLogger,
    handler: async (messages) => {
      await handler(messages.map((m) => m.value));
      seen += messages.length;
      lastAt = performance.now();
      lastCpu = process.cpuUsage();
      first ??= { at: lastAt, messages: seen, cpu: lastCpu };
      if (seen >= MESSAGES) done();
    },
  });
  await runner.start();
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, MAX_SECONDS * 1000).unref());
  await Promise.race([finished, timeout]);
  await runner.stop();
  const seconds = first ? (lastAt - first.at) / 1000 : 0;
  const steady = first ? seen - first.messages : 0;
  return {
    messages: seen,
    startSeconds: first ? Math.round(first.at - started) / 1000 : null,
    seconds,
    perSecond: seconds > 0 ? Math.round(steady / seconds) : 0,
    // This process's CPU time (all threads) over the steady stream, as a share of one core: near 1 means the
    // consumer is bound by its own CPU; well below 1 means it waits on the broker or Redis.
    processCpuShare: first && seconds > 0 ? Math.round(((lastCpu.user - first.cpu.user + lastCpu.system - first.cpu.system) / 1e6 / seconds) * 100) / 100 : null,
    complete: seen >= MESSAGES,
  };
}

async function main(): Promise<void> {
  const infra = infraEnv();
  const prefix = testPrefix();
  const connection = { brokers: infra.kafkaBrokers, clientId: 'bench-detector', topicPrefix: prefix };
  const admin = new KafkaAdmin(connection);
  await admin.ensureTopics(
    [defaultTopicSpec('market.orders.v1', { topicPrefix: prefix, consumed: true }), defaultTopicSpec('compliance.alerts.v1', { topicPrefix: prefix })],
    silentLogger,
  );
  const producer = createEventProducer(connection);
  const base = Date.parse('2026-03-02T14:00:00Z');
  const all = orderFlow(MESSAGES, (i) => base + i * 4);
  for (let i = 0; i < all.length; i += 1000) await producer.send(marketOrdersContract, all.slice(i, i + 1000));

  const raw = await consumeAll('raw', connection, async () => undefined);

  const redis = new Redis(infra.redisUrl);
  const keyPrefix = `${prefix}bench:`;
  const store = new RedisDetectorStore(redis, { keyPrefix, fingerprintTtlMs: 3_600_000, stateTtlMs: 3_600_000 });
  const detector = new Detector(RuleBook.load(RULES_FILE), store);
  let alerts = 0;
  let roundTrips = 0;
  let batches = 0;
  const detect = await consumeAll('detector', connection, async (batch) => {
    const detection = await detector.detect(batch);
    if (detection.alerts.length > 0) await producer.send(complianceAlertsContract, detection.alerts);
    await detection.confirm();
    alerts += detection.alerts.length;
    roundTrips += store.takeRoundTrips();
    batches += 1;
  });

  const latency = await measureLatency(infra, redis);

  const result = {
    bench: 'detector',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    messages: MESSAGES,
    batchMessages: BATCH_MESSAGES,
    rules: RULES_FILE ?? 'shipped',
    raw,
    detector: { ...detect, alerts, batches, redisRoundTripsPerBatch: batches ? roundTrips / batches : 0 },
    ratio: raw.perSecond ? Math.round((detect.perSecond / raw.perSecond) * 1000) / 1000 : 0,
    target: 0.7,
    latency,
  };
  console.log(JSON.stringify(result, null, 2));
  fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  fs.writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);

  await producer.close();
  await admin.close();
  await deleteRedisKeysByPrefix(keyPrefix, redis);
  redis.disconnect();
}

/** Event-to-alert latency at a steady rate: see the file comment, step 4. */
async function measureLatency(infra: ReturnType<typeof infraEnv>, redis: Redis) {
  const prefix = testPrefix();
  const connection = { brokers: infra.kafkaBrokers, clientId: 'bench-detector-latency', topicPrefix: prefix };
  const admin = new KafkaAdmin(connection);
  await admin.ensureTopics(
    [defaultTopicSpec('market.orders.v1', { topicPrefix: prefix, consumed: true }), defaultTopicSpec('compliance.alerts.v1', { topicPrefix: prefix })],
    silentLogger,
  );
  const producer = createEventProducer(connection);
  const keyPrefix = `${prefix}bench:`;
  const book = RuleBook.load(RULES_FILE);
  const detector = new Detector(book, new RedisDetectorStore(redis, { keyPrefix, fingerprintTtlMs: 3_600_000, stateTtlMs: 3_600_000 }));
  const publish = async (detecting: Promise<{ alerts: ComplianceAlert[]; confirm(): Promise<void> }>) => {
    const detection = await detecting;
    if (detection.alerts.length > 0) await producer.send(complianceAlertsContract, detection.alerts);
    await detection.confirm();
  };
  const detectorRunner = createConsumerRunner<MarketOrderEvent>({
    ...connection,
    groupId: `${prefix}detector`,
    contracts: [marketOrdersContract],
    logger: silentLogger,
    handler: (messages) => detector.exclusive(() => publish(detector.detect(messages.map((m) => m.value)))),
  });
  const idle = setInterval(() => void detector.exclusive(() => publish(detector.flushIdle(2_000))).catch(() => undefined), 1_000);
  const burstSentAt = new Map<string, number>();
  const latencies: number[] = [];
  const reader = createConsumerRunner<ComplianceAlert>({
    ...connection,
    groupId: `${prefix}reader`,
    contracts: [complianceAlertsContract],
    logger: silentLogger,
    handler: async (messages) => {
      const now = Date.now();
      for (const { value } of messages) {
        const sentAt = value.type === 'QUOTE_STUFFING' ? burstSentAt.get(value.accountId) : undefined;
        if (sentAt !== undefined) latencies.push(now - sentAt);
      }
    },
  });
  await Promise.all([detectorRunner.start(), reader.start()]);

  // The paced producer: every 10 ms, what is due at the rate; a burst (120 events) twice a second.
  let order = 0;
  let bursts = 0;
  let sent = 0;
  const open: MarketOrderEvent[] = [];
  const started = Date.now();
  while (Date.now() - started < LATENCY_SECONDS * 1000) {
    const now = Date.now();
    // At most 1,000 per send (a produce request stays far below the broker's size limit); a backlog is caught up over the next ticks.
    const due = Math.min(1_000, Math.floor(((now - started) / 1000) * LATENCY_RATE) - sent);
    const batch: MarketOrderEvent[] = [];
    const ts = iso(now);
    let burstAccount: string | undefined;
    if (Math.floor((now - started) / 500) >= bursts) {
      burstAccount = `QS${bursts}`;
      const common = { venue: 'XLON', instrument: `INST${bursts % 20}`, accountId: burstAccount, beneficialOwnerId: burstAccount, side: 'BUY' } as const;
      for (let m = 0; m < 60; m++) {
        const at = now - 100 + m;
        batch.push({ eventId: `qn${bursts}-${m}`, eventType: 'NEW', ts: iso(at), ...common, orderId: `Q${bursts}-${m}`, orderType: 'LIMIT', price: 99, quantity: 10 });
        batch.push({ eventId: `qc${bursts}-${m}`, eventType: 'CANCEL', ts: iso(at + 10), ...common, orderId: `Q${bursts}-${m}` });
      }
      bursts += 1;
    }
    while (batch.length < due) {
      // Alternately a new order and the end (cancel, or a trade with another account) of one placed earlier.
      if (open.length > 50 || (order % 2 === 1 && open.length > 0)) {
        const placed = open.shift() as MarketOrderEvent & { eventType: 'NEW' };
        const common = { venue: placed.venue, instrument: placed.instrument, orderId: placed.orderId, accountId: placed.accountId, beneficialOwnerId: placed.beneficialOwnerId, side: placed.side };
        if (order % 3) batch.push({ eventId: `c-${placed.orderId}`, eventType: 'CANCEL', ts, ...common });
        else {
          const fill = { fillQty: 100, fillPrice: placed.price ?? 100, tradeId: `T-${placed.orderId}`, leavesQty: 0 } as const;
          const taker = `ACC${(Number(placed.orderId.slice(1)) + 11) % 37}`;
          batch.push({ eventId: `f-${placed.orderId}`, eventType: 'FILL', ts, ...common, ...fill, aggressor: false });
          batch.push({ eventId: `g-${placed.orderId}`, eventType: 'FILL', ts, ...common, orderId: `X${placed.orderId}`, accountId: taker, beneficialOwnerId: taker, side: placed.side === 'BUY' ? 'SELL' : 'BUY', ...fill, aggressor: true });
        }
      } else {
        const i = order;
        // eventId 'a-…' sorts before the 'c-'/'f-'/'g-' of its end when both fall in one millisecond (event-time order is ts, then eventId).
        const event = { eventId: `a-${i}`, eventType: 'NEW', ts, venue: 'XLON', instrument: `INST${i % 20}`, orderId: `O${i}`, accountId: `ACC${i % 37}`, beneficialOwnerId: `ACC${i % 37}`, side: i % 2 ? 'BUY' : 'SELL', orderType: 'LIMIT', price: 100 + (i % 7) * 0.01, quantity: 100 } as const;
        batch.push(event);
        open.push(event);
      }
      order += 1;
    }
    if (batch.length > 0) {
      await producer.send(marketOrdersContract, batch);
      if (burstAccount) burstSentAt.set(burstAccount, Date.now());
      sent += batch.length;
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  const producedSeconds = (Date.now() - started) / 1000;
  const deadline = Date.now() + 60_000;
  while (latencies.length < bursts && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  clearInterval(idle);
  await Promise.all([detectorRunner.stop(), reader.stop()]);
  await producer.close();
  await admin.close();
  await deleteRedisKeysByPrefix(keyPrefix, redis);

  const sorted = [...latencies].sort((a, b) => a - b);
  const pick = (q: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] : null);
  return {
    targetRate: LATENCY_RATE,
    producedRate: Math.round(sent / producedSeconds),
    seconds: Math.round(producedSeconds * 10) / 10,
    events: sent,
    bursts,
    alertsMeasured: latencies.length,
    latenessMs: book.detection.latenessMs,
    p50Ms: pick(0.5),
    p99Ms: pick(0.99),
    maxMs: sorted.at(-1) ?? null,
  };
}

main().catch((error: unknown) => {
  console.error(error, JSON.stringify((error as { errors?: { response?: unknown }[] }).errors?.map((e) => e.response) ?? null));
  process.exit(1);
});

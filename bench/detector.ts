/**
 * compliance-detector throughput through the real broker and Redis, as a ratio to the raw
 * consume rate of libs/kafka in the same run on the same topic (issue 3 aims at ≥ 0.7):
 *   1. N market.orders.v1 events (20 instruments, 37 accounts, NEW then CANCEL or FILL) are
 *      produced once to a fresh 6-partition topic;
 *   2. raw: a consumer runner whose handler does nothing reads all N;
 *   3. detector: a consumer runner with the detector's handler (Redis load → all eight rules →
 *      Redis save → alerts produced → confirm) reads all N, under its own Redis key prefix.
 * Not measured yet: event-to-alert latency at a steady 10k events/s.
 *
 * Run: npm run bench -- detector, or node_modules/.bin/node -r @swc-node/register bench/detector.ts
 * Env: BENCH_MESSAGES (default 50000), BENCH_MAX_SECONDS (default 120 per measurement), BENCH_RESULT_FILE.
 */
import { complianceAlertsContract, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { createConsumerRunner, createEventProducer, defaultTopicSpec, KafkaAdmin, silentLogger } from '@vigil/kafka';
import { deleteRedisKeysByPrefix, infraEnv, testPrefix } from '@vigil/testing';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
// A benchmark measures the app's own code in process, as bench/audit-writer.ts does.
/* eslint-disable @nx/enforce-module-boundaries */
import { RuleBook } from '../apps/compliance-detector/src/config/rule-book';
import { Detector } from '../apps/compliance-detector/src/detection/detector';
import { RedisDetectorStore } from '../apps/compliance-detector/src/state/redis-detector.store';
/* eslint-enable @nx/enforce-module-boundaries */

const MESSAGES = Number(process.env['BENCH_MESSAGES'] ?? 50_000);
const MAX_SECONDS = Number(process.env['BENCH_MAX_SECONDS'] ?? 120);
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

async function consumeAll(name: string, options: { brokers: string[]; clientId: string; topicPrefix: string }, handler: (batch: MarketOrderEvent[]) => Promise<void>) {
  let seen = 0;
  let done!: () => void;
  const finished = new Promise<void>((resolve) => (done = resolve));
  const started = Date.now();
  const runner = createConsumerRunner<MarketOrderEvent>({
    ...options,
    groupId: `${options.topicPrefix}${name}`,
    contracts: [marketOrdersContract],
    logger: silentLogger,
    handler: async (messages) => {
      await handler(messages.map((m) => m.value));
      seen += messages.length;
      if (seen >= MESSAGES) done();
    },
  });
  await runner.start();
  const timeout = new Promise<void>((resolve) => setTimeout(resolve, MAX_SECONDS * 1000).unref());
  await Promise.race([finished, timeout]);
  const seconds = (Date.now() - started) / 1000;
  await runner.stop();
  return { messages: seen, seconds, perSecond: Math.round(seen / seconds), complete: seen >= MESSAGES };
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
  const detector = new Detector(RuleBook.load(), store);
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

  const result = {
    bench: 'detector',
    at: new Date().toISOString(),
    machine: { cpus: os.cpus().length, node: process.version },
    messages: MESSAGES,
    raw,
    detector: { ...detect, alerts, batches, redisRoundTripsPerBatch: batches ? roundTrips / batches : 0 },
    ratio: raw.perSecond ? Math.round((detect.perSecond / raw.perSecond) * 1000) / 1000 : 0,
    target: 0.7,
  };
  console.log(JSON.stringify(result, null, 2));
  fs.mkdirSync(path.dirname(RESULT_FILE), { recursive: true });
  fs.writeFileSync(RESULT_FILE, `${JSON.stringify(result, null, 2)}\n`);

  await producer.close();
  await admin.close();
  await deleteRedisKeysByPrefix(keyPrefix, redis);
  redis.disconnect();
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});

import { complianceAlertsContract, marketOrdersContract, type ComplianceAlert, type MarketOrderEvent } from '@vigil/contracts';
import { createConsumerRunner, createEventProducer, KafkaAdmin, silentLogger, type ConsumerRunner } from '@vigil/kafka';
import { deleteRedisKeysByPrefix, infraEnv, serviceEnv, testPrefix } from '@vigil/testing';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Redis from 'ioredis';
import { OrderStream } from './test-support/rule-harness';

// The built service as a child process: a stream with known alerts is run once undisturbed,
// once with the detector killed with SIGKILL mid-stream and started again, and once with 1 %
// of its events duplicated and neighbours reordered within the lateness: each run publishes the
// same set of alert fingerprints, every one of them once, read back with a read_committed consumer.
jest.setTimeout(420_000);

const root = path.resolve(__dirname, '../../..');
const dir = mkdtempSync(path.join(tmpdir(), 'detector-crash-'));
const infra = infraEnv();
const redis = new Redis(infra.redisUrl);
const keyPrefixes: string[] = [];

afterAll(async () => {
  for (const prefix of keyPrefixes) await deleteRedisKeysByPrefix(prefix, redis);
  redis.disconnect();
  if (process.env['DETECTOR_CRASH_KEEP_LOGS'] === undefined) rmSync(dir, { recursive: true, force: true });
});

beforeAll(() => {
  execFileSync(path.join(root, 'node_modules/.bin/nx'), ['run', 'compliance-detector:build'], { cwd: root, stdio: 'ignore' });
});

/**
 * 8 instruments over 40 min of event time: background orders (cancelled or traded with another
 * account), a wash trade of a new owner every 3 min, a quote-stuffing burst of a new account every
 * 7 min; then one order 20 min later per instrument, so every bucket closes without an idle flush.
 */
function scenario(): MarketOrderEvent[] {
  const events: MarketOrderEvent[] = [];
  for (let k = 0; k < 8; k++) {
    const s = new OrderStream(Date.parse('2026-03-02T13:00:00Z'), { venue: 'XLON', instrument: `GB00CRASH${k}` });
    for (let i = 0; i < 1200; i++) {
      const at = i * 2_000 + k * 37;
      const accountId = `BG${(i + k) % 5}`;
      s.newOrder(at, `B${k}-${i}`, { accountId, side: i % 2 ? 'BUY' : 'SELL' });
      if (i % 3) s.cancel(at + 400, `B${k}-${i}`, { accountId });
      else s.trade(at + 400, `BT${k}-${i}`, { accountId: `BG${(i + k + 1) % 5}` }, { accountId: `BG${(i + k + 2) % 5}` });
    }
    for (let j = 0; j < 13; j++) s.trade(j * 180_000 + 1_000, `W${k}-${j}`, { accountId: `WA${k}-${j}`, beneficialOwnerId: `OWN${k}-${j}` }, { accountId: `WB${k}-${j}`, beneficialOwnerId: `OWN${k}-${j}` });
    for (let j = 0; j < 5; j++) {
      const start = j * 420_000 + 5_000;
      for (let m = 0; m < 60; m++) {
        s.newOrder(start + m * 8, `S${k}-${j}-${m}`, { accountId: `STUFF${k}-${j}` });
        s.cancel(start + m * 8 + 20, `S${k}-${j}-${m}`, { accountId: `STUFF${k}-${j}` });
      }
    }
    s.newOrder(60 * 60_000, `END${k}`, { accountId: 'END' });
    events.push(...s.events.map((e) => ({ ...e, eventId: `${k}-${e.eventId}` })));
  }
  return events.sort((a, b) => a.ts.localeCompare(b.ts) || a.eventId.localeCompare(b.eventId));
}

/** 1 % of the events sent twice (the copy a little later), and each event swapped with its neighbour when they are < 1 s apart and the pair's index is odd. */
function disturbed(events: MarketOrderEvent[]): MarketOrderEvent[] {
  const out = [...events];
  for (let i = 1; i + 1 < out.length; i += 4) {
    if (Date.parse(out[i + 1].ts) - Date.parse(out[i].ts) < 1_000) [out[i], out[i + 1]] = [out[i + 1], out[i]];
  }
  for (let i = out.length - 1; i >= 0; i -= 100) out.splice(Math.min(out.length, i + 7), 0, out[i]);
  return out;
}

function startDetector(topicPrefix: string, keyPrefix: string): ChildProcess {
  const log = openSync(path.join(dir, `${topicPrefix}log`), 'a');
  const env = {
    ...(process.env as Record<string, string>),
    ...serviceEnv(infra, topicPrefix),
    VIGIL_HTTP_PORT: '0',
    VIGIL_LOG_LEVEL: 'warn',
    VIGIL_DETECTOR_KEY_PREFIX: keyPrefix,
    VIGIL_DETECTOR_MAX_BATCH_MESSAGES: '200',
    // The stream's event time is 2026-03-02, not now: moving it on by the wall clock would make events late.
    VIGIL_DETECTOR_IDLE_FLUSH_AFTER: '0s',
  };
  return spawn(path.join(root, 'node_modules/.bin/node'), [path.join(root, 'dist/apps/compliance-detector/src/main.js')], { env, stdio: ['ignore', log, log] });
}

async function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill(signal);
  await exited;
}

async function until<T>(what: string, probe: () => T | undefined, seconds = 180): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

interface Run {
  alerts: ComplianceAlert[];
  reader: ConsumerRunner<ComplianceAlert>;
}

/** Produces the stream to a fresh topic prefix and reads compliance.alerts.v1 (read_committed, the client's default). */
async function run(events: MarketOrderEvent[], during: (detector: { current: ChildProcess }, seen: ComplianceAlert[], topicPrefix: string, keyPrefix: string) => Promise<void>, expected?: number): Promise<ComplianceAlert[]> {
  const topicPrefix = testPrefix();
  const keyPrefix = `${topicPrefix}det:`;
  keyPrefixes.push(keyPrefix);
  const connection = { brokers: infra.kafkaBrokers, clientId: 'detector-crash-test', topicPrefix, registryUrl: infra.registryUrl };
  const detector = { current: startDetector(topicPrefix, keyPrefix) };
  const r: Run = {
    alerts: [],
    reader: createConsumerRunner<ComplianceAlert>({
      ...connection,
      groupId: `${topicPrefix}alerts-reader`,
      contracts: [complianceAlertsContract],
      logger: silentLogger,
      handler: async (messages) => void r.alerts.push(...messages.map((m) => m.value)),
    }),
  };
  const producer = createEventProducer(connection);
  const admin = new KafkaAdmin(connection);
  try {
    // The detector creates its topics; the stream goes out once they exist.
    const names = [`${topicPrefix}market.orders.v1`, `${topicPrefix}compliance.alerts.v1`];
    for (let attempt = 0; (await admin.describeTopics(names)).size < names.length; attempt++) {
      if (attempt > 300) throw new Error('the detector did not create its topics');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await r.reader.start();
    for (let i = 0; i < events.length; i += 1000) await producer.send(marketOrdersContract, events.slice(i, i + 1000));
    await during(detector, r.alerts, topicPrefix, keyPrefix);
    if (expected !== undefined) {
      await until(`${expected} alerts`, () => (new Set(r.alerts.map((a) => a.fingerprint)).size >= expected ? true : undefined));
      await new Promise((resolve) => setTimeout(resolve, 3_000)); // room for a late duplicate to show up
    } else {
      // The undisturbed run: done when the count stays the same for 5 s after the last events were taken.
      let last = -1;
      let stableSince = Date.now();
      await until('the alerts to settle', () => {
        if (r.alerts.length !== last) {
          last = r.alerts.length;
          stableSince = Date.now();
        }
        return r.alerts.length > 0 && Date.now() - stableSince > 5_000 ? true : undefined;
      });
    }
    return [...r.alerts];
  } finally {
    await stop(detector.current, 'SIGTERM');
    await r.reader.stop();
    await producer.close();
    await admin.close();
  }
}

const fingerprints = (alerts: ComplianceAlert[]) => alerts.map((a) => a.fingerprint).sort();
const byType = (alerts: ComplianceAlert[]) => alerts.reduce<Record<string, number>>((acc, a) => ({ ...acc, [a.type]: (acc[a.type] ?? 0) + 1 }), {});

it('publishes the same alerts once each after a SIGKILL mid-stream, and with 1 % duplicates and reordering', async () => {
  const events = scenario();
  const clean = await run(events, async () => undefined);
  expect(byType(clean)).toEqual({ WASH_TRADE: 8 * 13, QUOTE_STUFFING: 8 * 5 });
  expect(new Set(fingerprints(clean)).size).toBe(clean.length);

  let killedAt = 0;
  const crashed = await run(
    events,
    async (detector, seen, topicPrefix, keyPrefix) => {
      // Killed once a part of the alerts is out, while the rest of the stream is still being worked on.
      await until('a third of the alerts', () => (seen.length >= clean.length / 3 ? true : undefined));
      killedAt = seen.length;
      await stop(detector.current, 'SIGKILL');
      detector.current = startDetector(topicPrefix, keyPrefix);
    },
    clean.length,
  );
  expect(killedAt).toBeLessThan(clean.length);
  expect(fingerprints(crashed)).toEqual(fingerprints(clean)); // none missing, none twice

  const noisy = await run(disturbed(events), async () => undefined, clean.length);
  expect(fingerprints(noisy)).toEqual(fingerprints(clean));
  console.log(`detector crash test: ${clean.length} alerts; killed after ${killedAt} were out; the same ${crashed.length} after the restart; ${noisy.length} with duplicates and reordering`);
});

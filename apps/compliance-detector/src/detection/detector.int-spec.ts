import type { ComplianceAlert, MarketOrderEvent } from '@vigil/contracts';
import { deleteRedisKeysByPrefix, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { RuleBook } from '../config/rule-book';
import { RedisDetectorStore } from '../state/redis-detector.store';
import { noisy, OrderStream, washTradesAndCancelledOrders } from '../test-support/rule-harness';
import { Detector, StateConflictError, type DetectorOptions } from './detector';

// The detector against the real Redis: state survives between batches and between detector
// instances (a restart), duplicates and reordering within the lateness give the same alerts,
// and a crash between saving and producing loses no alert.
describe('Detector on Redis', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  const prefixes: string[] = [];
  const book = RuleBook.load();

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['redis']));
    redis = new Redis(infra.redisUrl);
  });

  afterAll(async () => {
    for (const prefix of prefixes) await deleteRedisKeysByPrefix(prefix, redis);
    redis?.disconnect();
    await stopInfra?.();
  });

  const newDetector = (keyPrefix: string, clock: () => number = Date.now, options: DetectorOptions = {}) => {
    const store = new RedisDetectorStore(redis, { keyPrefix, fingerprintTtlMs: 3_600_000, stateTtlMs: 3_600_000 });
    return { detector: new Detector(book, store, undefined, clock, options), store };
  };

  async function run(keyPrefix: string, events: MarketOrderEvent[], batchSize: number): Promise<ComplianceAlert[]> {
    prefixes.push(keyPrefix);
    const { detector } = newDetector(keyPrefix);
    const alerts: ComplianceAlert[] = [];
    for (let i = 0; i < events.length; i += batchSize) {
      const detection = await detector.detect(events.slice(i, i + batchSize));
      alerts.push(...detection.alerts);
      await detection.confirm();
    }
    const end = await detector.flush([{ venue: 'XLON', instrument: 'GB00B03MLX29' }]);
    alerts.push(...end.alerts);
    await end.confirm();
    return alerts;
  }

  const summary = (alerts: ComplianceAlert[]) => alerts.map((a) => `${a.type} ${a.accountId} ${a.windowStart} ${a.fingerprint}`).sort();

  it('finds the wash trades, the OTR and the cancellation rate once each, and the same with 10 % duplicates and reordering', async () => {
    const events = washTradesAndCancelledOrders();
    const clean = await run(`${testPrefix()}:`, events, 40);
    expect(clean.map((a) => a.type).sort()).toEqual(['CANCELLATION_RATE', 'ORDER_TO_TRADE_RATIO', 'WASH_TRADE', 'WASH_TRADE', 'WASH_TRADE']);
    expect(new Set(clean.map((a) => a.fingerprint)).size).toBe(clean.length);
    const disturbed = await run(`${testPrefix()}:`, noisy(events), 33);
    expect(summary(disturbed)).toEqual(summary(clean));
  });

  it('keeps its windows across detector instances (a restart or a partition moving)', async () => {
    const events = washTradesAndCancelledOrders();
    const keyPrefix = `${testPrefix()}:`;
    prefixes.push(keyPrefix);
    const half = Math.floor(events.length / 2);
    const alerts: ComplianceAlert[] = [];
    const feed = async (detector: Detector, events: MarketOrderEvent[]) => {
      const detection = await detector.detect(events);
      alerts.push(...detection.alerts);
      await detection.confirm();
    };
    await feed(newDetector(keyPrefix).detector, events.slice(0, half));
    // A second instance takes over; it also gets the last 50 events of the first half again (re-delivered).
    const second = newDetector(keyPrefix).detector;
    await feed(second, events.slice(half - 50, half));
    await feed(second, events.slice(half));
    const end = await second.flush([{ venue: 'XLON', instrument: 'GB00B03MLX29' }]);
    alerts.push(...end.alerts);
    expect(summary(alerts)).toEqual(summary(await run(`${testPrefix()}:`, events, 1000)));
  });

  it('hands an alert out again after a crash between saving it and confirming its produce, and never after the confirm', async () => {
    const keyPrefix = `${testPrefix()}:`;
    prefixes.push(keyPrefix);
    const s = new OrderStream();
    for (let i = 0; i < 200; i++) s.newOrder(i, `O${i}`);
    s.newOrder(5_000, 'LATER', { accountId: 'OTHER' }); // moves the watermark past the 200 orders
    const crashed = newDetector(keyPrefix);
    const before = await crashed.detector.detect(s.events);
    expect(before.alerts.map((a) => a.type)).toEqual(['ORDER_TO_TRADE_RATIO']);
    expect(crashed.store.takeRoundTrips()).toBe(2); // load + save
    // The produce fails (no confirm) and the runner retries the batch in the same process: the alert comes again, from the outbox.
    const retried = await crashed.detector.detect(s.events);
    expect(retried.alerts).toEqual(before.alerts);
    // ... then the process dies: no produce, no confirm, no offset commit. The batch comes again:
    const restarted = newDetector(keyPrefix);
    const again = await restarted.detector.detect(s.events);
    expect(again.alerts).toEqual(before.alerts); // the same alert, same alertId and ts: from the outbox
    await again.confirm();
    expect(restarted.store.takeRoundTrips()).toBe(3); // load + save + confirm
    const third = await restarted.detector.detect(s.events);
    expect(third.alerts).toEqual([]);
  });

  it('judges what waits for time to pass when no further event comes: the idle flush moves event time on by the wall clock', async () => {
    const keyPrefix = `${testPrefix()}:`;
    prefixes.push(keyPrefix);
    let wall = Date.parse('2026-03-02T14:09:40Z');
    const clock = () => wall;
    const s = new OrderStream();
    // A wash trade at 14:09:30 (its bucket ends 14:10:00) and an order at 14:09:31 still pending behind the watermark.
    s.trade(570_000, 'TW', { accountId: 'A', beneficialOwnerId: 'OWN-9' }, { accountId: 'B', beneficialOwnerId: 'OWN-9' });
    s.newOrder(571_000, 'LAST', { accountId: 'C' });
    const { detector, store } = newDetector(keyPrefix, clock);
    const first = await detector.detect(s.events);
    expect(first.alerts).toEqual([]);
    await first.confirm();
    store.takeRoundTrips();

    wall += 1_000; // idle for 1 s only: nothing moves
    expect((await detector.flushIdle(2_000)).alerts).toEqual([]);
    expect(store.takeRoundTrips()).toBe(0);

    wall += 39_000; // 40 s without an event: event time ≈ 14:09:31 + 40 s − 2 s lateness = 14:10:09, past the bucket's end
    const idle = await detector.flushIdle(2_000);
    expect(idle.alerts.map((a) => [a.type, a.beneficialOwnerId, a.evidence.tradeIds])).toEqual([['WASH_TRADE', 'OWN-9', ['TW']]]);
    await idle.confirm();
    expect(store.takeRoundTrips()).toBe(2); // save + confirm, for every idle instrument at once (held here: no load)

    // Nothing is left waiting: later ticks do nothing, and the move is in Redis: a new instance neither re-raises
    // the alert nor takes an event from before the moved watermark.
    wall += 30_000;
    expect((await detector.flushIdle(2_000)).alerts).toEqual([]);
    const late = new OrderStream();
    late.newOrder(575_000, 'TOO-LATE', { accountId: 'D', eventId: 'late-1' });
    late.trade(620_000, 'TW2', { accountId: 'A', beneficialOwnerId: 'OWN-9' }, { accountId: 'B', beneficialOwnerId: 'OWN-9' });
    const restarted = newDetector(keyPrefix, clock).detector;
    const after = await restarted.detect(late.events.map((e, i) => ({ ...e, eventId: `after-${i}` })));
    expect(after.alerts).toEqual([]);
    const end = await restarted.flush([{ venue: 'XLON', instrument: 'GB00B03MLX29' }]);
    // Only the 14:10 bucket's trade is judged (the order at 14:09:35 came too late); the 14:00 bucket is not raised again.
    expect(after.alerts.length + end.alerts.length).toBe(1);
    expect(end.alerts.map((a) => [a.type, a.evidence.tradeIds])).toEqual([['WASH_TRADE', ['TW2']]]);
  });

  it('refuses a save over state another instance wrote since this one last read it, and the retry works on the new state', async () => {
    const keyPrefix = `${testPrefix()}:`;
    prefixes.push(keyPrefix);
    const s = new OrderStream();
    for (let i = 0; i < 250; i++) s.newOrder(i * 100, `Q${i}`, { accountId: 'Q' });
    for (let i = 0; i < 250; i++) s.cancel(30_000 + i * 100, `Q${i}`, { accountId: 'Q' });
    const [a, b] = [newDetector(keyPrefix), newDetector(keyPrefix)];
    const alerts: ComplianceAlert[] = [];
    const feed = async (detector: Detector, events: MarketOrderEvent[]) => {
      const detection = await detector.detect(events);
      alerts.push(...detection.alerts);
      await detection.confirm();
    };
    await feed(a.detector, s.events.slice(0, 200));
    await feed(b.detector, s.events.slice(200, 300)); // b loads (replays a's log) and appends: what a holds is now behind
    // a holds the instrument, so it does not load: its save finds the log longer than it left it and writes nothing.
    await expect(feed(a.detector, s.events.slice(300, 400))).rejects.toBeInstanceOf(StateConflictError);
    a.store.takeRoundTrips();
    await feed(a.detector, s.events.slice(300, 400)); // the retry loads (b's entry replayed), then saves
    expect(a.store.takeRoundTrips()).toBe(2);
    await expect(feed(b.detector, s.events.slice(400))).rejects.toBeInstanceOf(StateConflictError);
    await feed(b.detector, s.events.slice(400));
    const end = await b.detector.flush([{ venue: 'XLON', instrument: 'GB00B03MLX29' }]);
    alerts.push(...end.alerts);
    expect(summary(alerts)).toEqual(summary(await run(`${testPrefix()}:`, s.events, 100)));
  });

  it('gives the same alerts when it holds fewer instruments than a batch touches (the others are rebuilt from Redis each batch)', async () => {
    const instruments = ['GB00B03MLX29', 'GB00B1XZS820', 'GB0009895292'];
    const events = washTradesAndCancelledOrders().flatMap((e) => instruments.map((instrument) => ({ ...e, instrument, eventId: `${instrument}-${e.eventId}` })));
    const feed = async (options: DetectorOptions) => {
      const keyPrefix = `${testPrefix()}:`;
      prefixes.push(keyPrefix);
      const detector = newDetector(keyPrefix, Date.now, options).detector;
      const alerts: ComplianceAlert[] = [];
      for (let i = 0; i < events.length; i += 90) {
        const detection = await detector.detect(events.slice(i, i + 90));
        alerts.push(...detection.alerts);
        await detection.confirm();
      }
      const end = await detector.flush(instruments.map((instrument) => ({ venue: 'XLON', instrument })));
      return [...alerts, ...end.alerts];
    };
    const all = await feed({});
    expect(all).toHaveLength(15);
    // Holding one instrument (and snapshots from the first batch on): every batch rebuilds two of three from snapshot + log.
    expect(summary(await feed({ heldInstruments: 1, minLogBytesPerSnapshot: 1 }))).toEqual(summary(all));
  });
});

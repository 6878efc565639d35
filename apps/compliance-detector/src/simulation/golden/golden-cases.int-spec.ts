import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComplianceAlert, MarketOrderEvent } from '@vigil/contracts';
import { deleteRedisKeysByPrefix, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { replayAlerts } from '../replay-scenario';
import { cosciaSequence, quoteStuffingBurst, saraoLayering, type GoldenCase } from './golden-cases';

// Golden cases from enforcement history, each replayed through vigil replay's path on the real Redis.
describe('golden cases from enforcement history', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  const keyPrefix = `${testPrefix()}golden:`;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-golden-'));

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['redis']));
    redis = new Redis(infra.redisUrl);
  });

  afterAll(async () => {
    await deleteRedisKeysByPrefix(keyPrefix, redis);
    redis?.disconnect();
    await stopInfra?.();
  });

  async function judge(golden: GoldenCase): Promise<ComplianceAlert[]> {
    const file = join(dir, `${golden.name}.ndjson`);
    writeFileSync(file, `${golden.events.map((e) => JSON.stringify(e)).join('\n')}\n`);
    const { alerts, summary, resent } = await replayAlerts({ file, book: golden.book, redis, keyPrefix: `${keyPrefix}${golden.name}:` });
    expect(summary.invalid).toBe(0);
    expect(resent).toBe(0);
    // The quiet market around the case raises nothing; the case raises exactly its types.
    expect(alerts.filter((a) => a.accountId !== golden.accountId).map((a) => a.summary)).toEqual([]);
    expect([...new Set(alerts.map((a) => a.type))].sort()).toEqual([...golden.expectedTypes].sort());
    return alerts;
  }

  const own = (golden: GoldenCase) => golden.events.filter((e) => e.accountId === golden.accountId);
  const fills = (events: MarketOrderEvent[]) => events.filter((e): e is Extract<MarketOrderEvent, { eventType: 'FILL' }> => e.eventType === 'FILL');

  it('Sarao: five 600-lot sells above the ask, modified thousands of times, cancelled unfilled while buying → LAYERING', async () => {
    const golden = saraoLayering();
    const layers = Object.values(golden.orders);
    const mine = own(golden);
    // The case as the complaint tells it.
    expect(mine.filter((e) => e.eventType === 'NEW' && layers.includes(e.orderId)).map((e) => e.eventType === 'NEW' && e.quantity)).toEqual([600, 600, 600, 600, 600]);
    expect(mine.filter((e) => e.eventType === 'AMEND').length).toBeGreaterThan(2_000);
    expect(fills(mine).every((f) => f.side === 'BUY' && !layers.includes(f.orderId))).toBe(true);
    const bought = fills(mine).reduce((sum, f) => sum + f.fillQty, 0);

    const alerts = await judge(golden);
    const layering = alerts.filter((a) => a.type === 'LAYERING');
    expect(layering).toHaveLength(1);
    const [alert] = layering;
    expect(alert.evidence.orderIds).toEqual(expect.arrayContaining(layers));
    expect(alert.evidence.metrics).toMatchObject({ layerOrders: 5, priceLevels: 5, cancelledShare: 1, filledShare: 0, oppositeFilledQuantity: bought });
    expect(alert.summary).toMatch(new RegExp(`^Account NAV-SARAO rested 5 SELL orders of \\d+ in all at 5 price levels near the touch on ES at XCME .*bought ${bought} meanwhile, and cancelled 100\\.0 % of them with 0\\.0 % filled`));
    expect(alert.threshold).toBe(0.8);
  }, 300_000);

  it("Coscia: 17-lot buy, sells of 122/85/54 one tick apart cancelled 609 ms after, then the mirror → SPOOFING and LAYERING", async () => {
    const golden = cosciaSequence();
    const { buySmall, buy122, buy85, buy54, sellSmall, sell122 } = golden.orders;
    const mine = own(golden);
    const at = (orderId: string, type: string) => Date.parse(mine.find((e) => e.orderId === orderId && e.eventType === type)?.ts ?? '');
    expect(at(buy122, 'CANCEL') - at(buySmall, 'NEW')).toBe(609);
    // Only the small orders trade (all 17 lots each, to whoever sold or bought first); the large ones never.
    const filled = new Map<string, number>();
    for (const f of fills(mine)) filled.set(f.orderId, (filled.get(f.orderId) ?? 0) + f.fillQty);
    expect([...filled]).toEqual([
      [buySmall, 17],
      [sellSmall, 17],
    ]);
    const prices = [buy122, buy85, buy54].map((id) => mine.find((e) => e.orderId === id && e.eventType === 'NEW')).map((e) => (e?.eventType === 'NEW' ? e.price : 0));
    expect(prices.map((p) => Math.round(((p as number) - (prices[0] as number)) * 100))).toEqual([0, 1, 2]);

    const alerts = await judge(golden);
    const spoof122 = alerts.find((a) => a.type === 'SPOOFING' && a.evidence.orderIds[0] === buy122);
    expect(spoof122?.evidence.orderIds).toContain(buySmall);
    expect(spoof122?.evidence.metrics).toMatchObject({ baitQuantity: 122, filledQuantity: 0, cancelledQuantity: 122, oppositeFilledQuantity: 17 });
    expect(spoof122?.evidence.metrics['cancelDelayMs']).toBeLessThan(609);
    expect(spoof122?.summary).toMatch(/^Account PANTHER-COSCIA placed a SELL order \S+ of 122 on CL at XNYM .* and bought 17 meanwhile/);
    expect(alerts.find((a) => a.type === 'SPOOFING' && a.evidence.orderIds[0] === sell122)?.summary).toMatch(/placed a BUY order \S+ of 122 .* and sold 17 meanwhile/);
    expect(alerts.some((a) => a.type === 'SPOOFING' && a.evidence.orderIds[0] === buy85)).toBe(true);
    const layering = alerts.filter((a) => a.type === 'LAYERING');
    expect(layering.map((a) => a.evidence.metrics['layerQuantity'])).toEqual([261, 261]);
    expect(layering.map((a) => a.evidence.metrics['oppositeFilledQuantity'])).toEqual([17, 17]);
  }, 300_000);

  it('a quote-stuffing burst: 600 messages in 0.9 s, each order cancelled within 2 ms → QUOTE_STUFFING', async () => {
    const golden = quoteStuffingBurst();
    const alerts = await judge(golden);
    const stuffing = alerts.filter((a) => a.type === 'QUOTE_STUFFING');
    expect(stuffing).toHaveLength(1);
    const [alert] = stuffing;
    expect(alert.evidence.metrics['messages']).toBeGreaterThanOrEqual(100);
    expect(alert.evidence.metrics['cancelledShare']).toBe(1);
    expect(alert.evidence.metrics['medianLifetimeMs']).toBeLessThanOrEqual(2);
    expect(alert.evidence.orderIds).toContain(golden.orders['first']);
    expect(alert.summary).toMatch(/^Account HFT-STUFFER sent \d+ order messages on NANX at XNAS within 1000 ms .*\(100\.0 %\) after a median [\d.]+ ms/);
  }, 300_000);
});

import { deleteRedisKeysByPrefix, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { RuleBook, type RuleChange } from '../config/rule-book';
import { RuleChangeStore } from './rule-change.store';

const change = (version: number, maxRatio: number, by = 'alice'): RuleChange => ({
  version,
  severity: 'MEDIUM',
  enabled: true,
  parameters: { maxRatio },
  updatedAt: '2026-03-02T14:00:00.000Z',
  updatedBy: by,
});
const otrOf = (book: RuleBook) => book.rulesFor('XLON', 'VOD').find((r) => r.id === 'order-to-trade-ratio');

// Rule changes in Redis, as two detector instances share them.
describe('RuleChangeStore on Redis', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  const keyPrefix = `${testPrefix()}det:`;

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['redis']));
    redis = new Redis(infra.redisUrl);
  });

  afterAll(async () => {
    await deleteRedisKeysByPrefix(keyPrefix, redis);
    redis?.disconnect();
    await stopInfra?.();
  });

  it("gives one instance's change to another (revision moved, the same rule in force), and refuses a change made from a stale version", async () => {
    const store = new RuleChangeStore(redis, keyPrefix);
    const [a, b] = [RuleBook.load(), RuleBook.load()];
    const before = await store.revision();

    expect(await store.save('order-to-trade-ratio', 1, 1, change(2, 250))).toEqual({ saved: true, revision: before + 1 });
    // Another instance, changing from version 1 too, is refused with the version now in force.
    expect(await store.save('order-to-trade-ratio', 1, 1, change(2, 50, 'bob'))).toEqual({ saved: false, currentVersion: 2 });

    expect(await store.revision()).toBe(before + 1);
    b.applyChanges((await store.all()).changes);
    expect(otrOf(b)).toMatchObject({ version: 2, parameters: { maxRatio: 250 } });
    expect(otrOf(a)).toMatchObject({ version: 1, parameters: { maxRatio: 100 } });

    // A change that could not be audited is taken back: the rule is at version 1 again everywhere.
    await store.restore('order-to-trade-ratio', 2, undefined);
    expect(await store.revision()).toBe(before + 2);
    b.applyChanges((await store.all()).changes);
    expect(otrOf(b)).toMatchObject({ version: 1, parameters: { maxRatio: 100 } });
    expect(await store.save('order-to-trade-ratio', 1, 1, change(2, 75))).toMatchObject({ saved: true });
  });
});

import { deleteRedisKeysByPrefix, infraEnv, testPrefix } from '@vigil/testing';
import Redis from 'ioredis';
import { BruteForceService, type Subject } from './brute-force.service';

// Against the local Redis, with the service's clock moved by the test instead of waited for.
const MIN = 60_000;
let redis: Redis;
let prefix: string;
let now: number;
const prefixes: string[] = [];

const account: Subject = { kind: 'account', id: 'user:alice' };
const service = (options: Partial<ConstructorParameters<typeof BruteForceService>[1]> = {}) => new BruteForceService(redis, { keyPrefix: prefix, now: () => now, ...options });

beforeAll(() => {
  redis = new Redis(infraEnv().redisUrl);
});
beforeEach(() => {
  prefix = `vigil:auth:${testPrefix()}`;
  prefixes.push(prefix);
  now = Date.UTC(2026, 11, 3, 12);
});
afterAll(async () => {
  for (const p of prefixes) await deleteRedisKeysByPrefix(p, redis);
  await redis.quit();
});

describe('BruteForceService', () => {
  it('locks after 5 failures in 15 minutes, not after 5 spread wider; a success clears the window', async () => {
    const bf = service();
    for (let i = 0; i < 4; i++) {
      expect(await bf.recordFailure('login', [account])).toEqual([]);
      now += 4 * MIN;
    }
    // Failures at minutes 0, 4, 8, 12 and now 16: the one at 0 has left the 15-minute window, so 4 count.
    expect(await bf.recordFailure('login', [account])).toEqual([]);
    expect((await bf.check('login', [account])).locked).toBe(false);
    await bf.recordSuccess('login', account.id);
    for (let i = 0; i < 4; i++) await bf.recordFailure('login', [account]);
    const [lock] = await bf.recordFailure('login', [account]);
    expect(lock).toEqual({ subject: account, failures: 5, lockSec: 900, lockNumber: 1, reason: 'window' });
    expect(await bf.check('login', [account])).toEqual({ locked: true, retryAfterSec: 900, subject: account });
    now += 15 * MIN + 1;
    expect((await bf.check('login', [account])).locked).toBe(false);
  });

  it('doubles the lock on each repeat within a day', async () => {
    const bf = service();
    const lockSecs: number[] = [];
    for (let round = 0; round < 3; round++) {
      let locks: Awaited<ReturnType<BruteForceService['recordFailure']>> = [];
      for (let i = 0; i < 5; i++) locks = await bf.recordFailure('login', [account]);
      lockSecs.push(locks[0].lockSec);
      now += locks[0].lockSec * 1000 + 1;
    }
    expect(lockSecs).toEqual([900, 1800, 3600]);
  });

  it('never allows more than 100 failed attempts per account per hour, whatever the window says', async () => {
    // A window threshold above the hourly cap isolates the cap.
    const bf = service({ accountThreshold: 1000 });
    const locks = [];
    for (let i = 0; i < 100; i++) {
      expect((await bf.check('login', [account])).locked).toBe(false);
      locks.push(...(await bf.recordFailure('login', [account])));
      now += 30_000;
    }
    expect(locks).toEqual([{ subject: account, failures: 100, lockSec: 3600, lockNumber: 0, reason: 'hourly_limit' }]);
    const state = await bf.check('login', [account]);
    expect(state.locked).toBe(true);
    // Free again once the oldest failure is an hour old.
    now += 10 * MIN + 1;
    expect((await bf.check('login', [account])).locked).toBe(false);
  });

  it('counts per address separately, with its own threshold', async () => {
    const bf = service({ ipThreshold: 3 });
    const ip: Subject = { kind: 'ip', id: '10.0.0.5' };
    await bf.recordFailure('login', [{ kind: 'account', id: 'user:a' }, ip]);
    await bf.recordFailure('login', [{ kind: 'account', id: 'user:b' }, ip]);
    const locks = await bf.recordFailure('login', [{ kind: 'account', id: 'user:c' }, ip]);
    expect(locks.map((l) => l.subject)).toEqual([ip]);
    expect(await bf.check('login', [{ kind: 'account', id: 'user:d' }, ip])).toMatchObject({ locked: true, subject: ip });
    expect((await bf.check('mfa', [ip])).locked).toBe(false);
  });
});

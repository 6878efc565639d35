import { infraEnv, testPrefix } from '@vigil/testing';
import Redis from 'ioredis';
import { RateLimiter } from './rate-limiter';

// The token buckets on the real Redis: two limiters stand for two gateway replicas.
let redis: Redis;
let other: Redis;
const prefix = `vigil:auth:${testPrefix()}`;
const limits = {
  proxy_ip: { perSec: 1, burst: 3 },
  proxy_principal: { perSec: 1, burst: 2 },
  login_ip: { perSec: 1, burst: 1 },
  login_account: { perSec: 1, burst: 1 },
};

beforeAll(() => {
  redis = new Redis(infraEnv().redisUrl);
  other = new Redis(infraEnv().redisUrl);
});

afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await other.quit();
});

describe('RateLimiter (Redis token buckets)', () => {
  it('shares a bucket between replicas: burst, then refusal with the wait until the next token', async () => {
    const a = new RateLimiter(redis, prefix, limits);
    const b = new RateLimiter(other, prefix, limits);
    expect(await a.take('proxy_ip', '10.0.0.1')).toEqual({ allowed: true });
    expect(await b.take('proxy_ip', '10.0.0.1')).toEqual({ allowed: true });
    expect(await a.take('proxy_ip', '10.0.0.1')).toEqual({ allowed: true });
    expect(await b.take('proxy_ip', '10.0.0.1')).toEqual({ allowed: false, retryAfterSec: 1 });
    // Another subject has its own bucket.
    expect(await b.take('proxy_ip', '10.0.0.2')).toEqual({ allowed: true });
    // One token a second: after a second there is one again.
    await new Promise((resolve) => setTimeout(resolve, 1_050));
    expect(await a.take('proxy_ip', '10.0.0.1')).toEqual({ allowed: true });
    expect(await a.take('proxy_ip', '10.0.0.1')).toMatchObject({ allowed: false });
  });

  it('takeAll: all buckets or none, names the empty one, and reports a refusal key without taking anything', async () => {
    const limiter = new RateLimiter(redis, prefix, limits);
    const ip = ['proxy_ip', '10.0.1.1'] as const;
    const who = ['proxy_principal', 'user:u1'] as const;
    expect(await limiter.takeAll([ip, who])).toEqual({ allowed: true, refused: false });
    expect(await limiter.takeAll([ip, who])).toEqual({ allowed: true, refused: false });
    // The principal's burst of 2 is spent: refused, and the address's bucket is left as it was.
    expect(await limiter.takeAll([ip, who])).toEqual({ allowed: false, scope: 'proxy_principal', retryAfterSec: 1 });
    expect(await limiter.takeAll([ip])).toEqual({ allowed: true, refused: false });
    expect(await limiter.takeAll([ip])).toMatchObject({ allowed: false, scope: 'proxy_ip' });

    const revoked = `${prefix}revoked-session:s1`;
    await redis.set(revoked, '1', 'EX', 60);
    expect(await limiter.takeAll([['proxy_principal', 'user:u2']], revoked)).toEqual({ allowed: true, refused: true });
    expect(await limiter.takeAll([['proxy_principal', 'user:u2']], `${prefix}revoked-session:s2`)).toEqual({ allowed: true, refused: false });
  });
});

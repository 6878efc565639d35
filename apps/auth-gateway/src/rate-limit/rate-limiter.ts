import type Redis from 'ioredis';

/** What a limit is for; each has its own rate and burst. */
export type RateScope = 'proxy_ip' | 'proxy_principal' | 'login_ip' | 'login_account';

export interface RateLimit {
  /** Sustained requests per second. */
  perSec: number;
  /** Requests allowed at once after a quiet spell (the bucket's size). */
  burst: number;
}

export type RateVerdict = { allowed: true } | { allowed: false; retryAfterSec: number };

// A token bucket per key, refilled at `rate` per second up to `burst`, in one atomic call on
// Redis's own clock, so every gateway replica shares the bucket and no replica's clock matters.
// Returns {1} when a token was taken, {0, ms until one is there} otherwise.
const TOKEN_BUCKET = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rate = tonumber(ARGV[1]) / 1000
local burst = tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'ts')
local tokens = tonumber(state[1]) or burst
local ts = tonumber(state[2]) or now
tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
if tokens < 1 then
  redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'ts', now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
  return {0, math.ceil((1 - tokens) / rate)}
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens - 1), 'ts', now)
redis.call('PEXPIRE', KEYS[1], math.ceil(burst / rate) + 1000)
return {1, 0}
`;

type BucketRedis = Redis & { vigilTokenBucket(key: string, perSec: number, burst: number): Promise<[number, number]> };

/**
 * Redis-backed token buckets, shared by every gateway replica: per client address and per
 * principal at the proxy, per address and per account on the login endpoints. A Redis error
 * propagates (the caller answers 503): an unlimited edge is not a safe default.
 */
export class RateLimiter {
  private readonly redis: BucketRedis;

  constructor(
    redis: Redis,
    private readonly keyPrefix: string,
    private readonly limits: Record<RateScope, RateLimit>,
  ) {
    if (!('vigilTokenBucket' in redis)) redis.defineCommand('vigilTokenBucket', { numberOfKeys: 1, lua: TOKEN_BUCKET });
    this.redis = redis as BucketRedis;
  }

  async take(scope: RateScope, subject: string): Promise<RateVerdict> {
    const { perSec, burst } = this.limits[scope];
    const [allowed, waitMs] = await this.redis.vigilTokenBucket(`${this.keyPrefix}rl:${scope}:${subject}`, perSec, burst);
    return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}

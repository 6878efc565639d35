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

// Several buckets and, optionally, a key whose presence refuses the request (a revoked
// session), in one round trip: KEYS = the buckets then the refusal key; ARGV[1] = number of
// buckets, then rate and burst per bucket. {2} the refusal key exists (nothing taken);
// {0, ms, i} bucket i is empty (nothing taken); {1} a token taken from every bucket.
const EDGE_CHECK = `
local n = tonumber(ARGV[1])
if #KEYS > n and redis.call('EXISTS', KEYS[n + 1]) == 1 then return {2, 0, 0} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local levels = {}
for i = 1, n do
  local rate = tonumber(ARGV[2 * i]) / 1000
  local burst = tonumber(ARGV[2 * i + 1])
  local state = redis.call('HMGET', KEYS[i], 'tokens', 'ts')
  local tokens = tonumber(state[1]) or burst
  local ts = tonumber(state[2]) or now
  tokens = math.min(burst, tokens + math.max(0, now - ts) * rate)
  if tokens < 1 then return {0, math.ceil((1 - tokens) / rate), i} end
  levels[i] = tokens
end
for i = 1, n do
  local rate = tonumber(ARGV[2 * i]) / 1000
  local burst = tonumber(ARGV[2 * i + 1])
  redis.call('HSET', KEYS[i], 'tokens', tostring(levels[i] - 1), 'ts', now)
  redis.call('PEXPIRE', KEYS[i], math.ceil(burst / rate) + 1000)
end
return {1, 0, 0}
`;

export type EdgeVerdict = { allowed: true; refused: boolean } | { allowed: false; scope: RateScope; retryAfterSec: number };

type BucketRedis = Redis & {
  vigilTokenBucket(key: string, perSec: number, burst: number): Promise<[number, number]>;
  vigilEdgeCheck(numKeys: number, ...args: Array<string | number>): Promise<[number, number, number]>;
};

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
    if (!('vigilEdgeCheck' in redis)) redis.defineCommand('vigilEdgeCheck', { lua: EDGE_CHECK });
    this.redis = redis as BucketRedis;
  }

  async take(scope: RateScope, subject: string): Promise<RateVerdict> {
    const { perSec, burst } = this.limits[scope];
    const [allowed, waitMs] = await this.redis.vigilTokenBucket(`${this.keyPrefix}rl:${scope}:${subject}`, perSec, burst);
    return allowed === 1 ? { allowed: true } : { allowed: false, retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }

  /**
   * Takes a token from each bucket, all or none, and reports whether `refusalKey` exists, in
   * one Redis call (the proxy's per-request check). A refusal takes nothing.
   */
  async takeAll(checks: ReadonlyArray<readonly [RateScope, string]>, refusalKey?: string): Promise<EdgeVerdict> {
    const keys = checks.map(([scope, subject]) => `${this.keyPrefix}rl:${scope}:${subject}`);
    if (refusalKey) keys.push(refusalKey);
    const limits = checks.flatMap(([scope]) => [this.limits[scope].perSec, this.limits[scope].burst]);
    const [code, waitMs, index] = await this.redis.vigilEdgeCheck(keys.length, ...keys, checks.length, ...limits);
    if (code === 2) return { allowed: true, refused: true };
    if (code === 1) return { allowed: true, refused: false };
    return { allowed: false, scope: checks[index - 1][0], retryAfterSec: Math.max(1, Math.ceil(waitMs / 1000)) };
  }
}

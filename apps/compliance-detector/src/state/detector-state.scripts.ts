/**
 * The two Lua scripts that are the detector's only Redis traffic per instrument and batch.
 * Every key of one call shares the instrument's hash tag, so each call runs on one Redis
 * Cluster slot. KEYS: 1 state, 2 accounts, 3 pending-accounts, 4 seen, 5 fingerprints, 6 outbox.
 */

/**
 * Load: the instrument state, the windows of the batch's accounts and of the accounts of
 * events still pending from earlier batches, which of the batch's eventIds are already
 * accepted, and alerts written but not yet confirmed as produced (a crash between the two).
 * ARGV: accountCount, accountIds..., eventIds...
 */
export const LOAD_SCRIPT = `
local n = tonumber(ARGV[1])
local accounts = {}
local known = {}
for i = 1, n do accounts[#accounts + 1] = ARGV[1 + i]; known[ARGV[1 + i]] = true end
for _, a in ipairs(redis.call('SMEMBERS', KEYS[3])) do
  if not known[a] then accounts[#accounts + 1] = a; known[a] = true end
end
local windows = {}
if #accounts > 0 then windows = redis.call('HMGET', KEYS[2], unpack(accounts)) end
local ids = {}
for i = n + 2, #ARGV do ids[#ids + 1] = ARGV[i] end
local seen = {}
if #ids > 0 then seen = redis.call('ZMSCORE', KEYS[4], unpack(ids)) end
return { redis.call('GET', KEYS[1]) or false, accounts, windows, seen, redis.call('HVALS', KEYS[6]) }
`;

/**
 * Save: the state, changed account windows, the pending accounts, the accepted eventIds
 * (scored by event time, trimmed below the watermark: an older duplicate is late anyway),
 * and each new alert unless its fingerprint was already raised (then it is dropped); a new
 * one is remembered and put in the outbox in the same atomic step. Returns the new
 * fingerprints. ARGV: nowMs, watermarkMs, fingerprintTtlMs, stateTtlMs, stateJson,
 * n, (account, windowJson)*, n, pendingAccount*, n, (eventId, tsMs)*, n, (fingerprint, alertJson)*
 */
export const SAVE_SCRIPT = `
local now = tonumber(ARGV[1])
local watermark = ARGV[2]
local fpTtl = tonumber(ARGV[3])
local stateTtl = tonumber(ARGV[4])
redis.call('SET', KEYS[1], ARGV[5])
local i = 6
local n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1]); i = i + 2 end
redis.call('DEL', KEYS[3])
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('SADD', KEYS[3], ARGV[i]); i = i + 1 end
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do redis.call('ZADD', KEYS[4], ARGV[i + 1], ARGV[i]); i = i + 2 end
if watermark ~= '' then redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', '(' .. watermark) end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now)
local fresh = {}
n = tonumber(ARGV[i]); i = i + 1
for _ = 1, n do
  local fp, alert = ARGV[i], ARGV[i + 1]
  i = i + 2
  if not redis.call('ZSCORE', KEYS[5], fp) then
    redis.call('ZADD', KEYS[5], now + fpTtl, fp)
    redis.call('HSET', KEYS[6], fp, alert)
    fresh[#fresh + 1] = fp
  end
end
for k = 1, 6 do redis.call('PEXPIRE', KEYS[k], stateTtl) end
return fresh
`;

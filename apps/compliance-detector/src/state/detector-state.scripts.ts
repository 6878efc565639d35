/**
 * The two Lua scripts that are the detector's only Redis traffic per instrument and batch
 * (each pipelined over the batch's instruments: one round trip for all loads, one for all
 * saves). Every key of one call shares the instrument's hash tag, so each call runs on one
 * Redis Cluster slot. KEYS: 1 snapshot, 2 log, 3 fingerprints, 4 outbox.
 *
 * An instrument's state = its snapshot (hash: `gen`, `data` JSON) + the batches logged
 * after it (list of JSON entries: the events a batch accepted, in the order it took them, and
 * how far it moved the watermark). Replaying the log on the snapshot rebuilds the state
 * exactly, because evaluation is deterministic. A batch appends one entry (cost ∝ its
 * events); now and then a new snapshot replaces snapshot + log (gen + 1).
 *
 * Duplicates need no key of their own: an event is either still pending (its copy is found in
 * the state's pending events) or behind the watermark (then its copy is too late anyway).
 */

/**
 * Load: what the caller lacks of the instrument's state, and alerts saved but not yet
 * confirmed as produced (a crash between the two).
 * The caller says what it holds (gen, log length); when the snapshot is still that gen, only
 * log entries past that length come back (usually none: it wrote them itself); otherwise the
 * snapshot and the whole log. ARGV: cachedGen ('' for none), cachedLen.
 * Returns { gen, snapshotData or false, fromIndex, entries, outbox }.
 */
export const LOAD_SCRIPT = `
local gen = redis.call('HGET', KEYS[1], 'gen') or '0'
local len = redis.call('LLEN', KEYS[2])
local from = tonumber(ARGV[2])
local data = false
if gen ~= ARGV[1] or len < from then
  data = redis.call('HGET', KEYS[1], 'data') or false
  from = 0
end
local entries = {}
if len > from then entries = redis.call('LRANGE', KEYS[2], from, -1) end
return { gen, data, from, entries, redis.call('HVALS', KEYS[4]) }
`;

/**
 * Save: only if the state is still the one the caller evaluated on (gen and log length
 * unchanged since its load: another instance did not write in between), appends the batch's
 * log entry or replaces snapshot + log by a new snapshot; adds each new alert unless its fingerprint was already raised, remembering it and putting
 * it in the outbox in the same atomic step. ARGV: expectedGen, expectedLen, nowMs,
 * fingerprintTtlMs, stateTtlMs, mode ('' | 'log' | 'snap'), payload, n, (fingerprint, alertJson)*.
 * Returns { 'ok', gen, logLength, freshFingerprint... } or { 'conflict' } (nothing written).
 */
export const SAVE_SCRIPT = `
local gen = redis.call('HGET', KEYS[1], 'gen') or '0'
if gen ~= ARGV[1] or redis.call('LLEN', KEYS[2]) ~= tonumber(ARGV[2]) then return { 'conflict' } end
local now = tonumber(ARGV[3])
local fpTtl = tonumber(ARGV[4])
local stateTtl = tonumber(ARGV[5])
local mode = ARGV[6]
if mode == 'snap' then
  gen = tostring(tonumber(gen) + 1)
  redis.call('HSET', KEYS[1], 'gen', gen, 'data', ARGV[7])
  redis.call('DEL', KEYS[2])
elseif mode == 'log' then
  redis.call('RPUSH', KEYS[2], ARGV[7])
end
local reply = { 'ok', gen, redis.call('LLEN', KEYS[2]) }
local i = 8
local n = tonumber(ARGV[i]); i = i + 1
if n > 0 then
  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)
  for _ = 1, n do
    local fp, alert = ARGV[i], ARGV[i + 1]
    i = i + 2
    if not redis.call('ZSCORE', KEYS[3], fp) then
      redis.call('ZADD', KEYS[3], now + fpTtl, fp)
      redis.call('HSET', KEYS[4], fp, alert)
      reply[#reply + 1] = fp
    end
  end
end
for k = 1, 4 do redis.call('PEXPIRE', KEYS[k], stateTtl) end
return reply
`;

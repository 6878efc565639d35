import type Redis from 'ioredis';
import type { RuleChange } from '../config/rule-book';

/**
 * Writes one rule's change if its version in force is still the one the caller changed
 * (compare-and-set, so two admins or two instances never overwrite each other silently) and
 * bumps the revision every instance polls. KEYS: changes hash, revision. ARGV: rule id, the
 * file's version of the rule, the version the change was made from, the change (JSON), its version.
 */
const SET_IF_CURRENT = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
local current = tonumber(ARGV[2])
if stored then
  local v = tonumber(cjson.decode(stored).version)
  if v > current then current = v end
end
if current ~= tonumber(ARGV[3]) then return {0, current} end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[4])
return {1, redis.call('INCR', KEYS[2])}
`;

/** The old change put back if the new one could not be audited (only while it is still the one in force). */
const RESTORE = `
local stored = redis.call('HGET', KEYS[1], ARGV[1])
if not stored or tonumber(cjson.decode(stored).version) ~= tonumber(ARGV[2]) then return 0 end
if ARGV[3] == '' then redis.call('HDEL', KEYS[1], ARGV[1]) else redis.call('HSET', KEYS[1], ARGV[1], ARGV[3]) end
redis.call('INCR', KEYS[2])
return 1
`;

export type SaveOutcome = { saved: true; revision: number } | { saved: false; currentVersion: number };

/**
 * Rule changes made through the API, in Redis so that a restart and every other instance
 * see them: a hash of rule id → change (JSON) and a revision counter (hash-tagged together).
 */
export class RuleChangeStore {
  private readonly changesKey: string;
  private readonly revisionKey: string;

  constructor(
    private readonly redis: Redis,
    keyPrefix: string,
  ) {
    this.changesKey = `${keyPrefix}{rules}:changes`;
    this.revisionKey = `${keyPrefix}{rules}:revision`;
  }

  async revision(): Promise<number> {
    return Number((await this.redis.get(this.revisionKey)) ?? 0);
  }

  async all(): Promise<{ revision: number; changes: Record<string, RuleChange> }> {
    const [[, revision], [, hash]] = (await this.redis.multi().get(this.revisionKey).hgetall(this.changesKey).exec()) as [[null, string | null], [null, Record<string, string>]];
    const changes = Object.fromEntries(Object.entries(hash).map(([id, json]) => [id, JSON.parse(json) as RuleChange]));
    return { revision: Number(revision ?? 0), changes };
  }

  async save(ruleId: string, fileVersion: number, fromVersion: number, change: RuleChange): Promise<SaveOutcome> {
    const [ok, value] = (await this.redis.eval(SET_IF_CURRENT, 2, this.changesKey, this.revisionKey, ruleId, fileVersion, fromVersion, JSON.stringify(change))) as [number, number];
    return ok === 1 ? { saved: true, revision: value } : { saved: false, currentVersion: value };
  }

  async restore(ruleId: string, version: number, previous: RuleChange | undefined): Promise<void> {
    await this.redis.eval(RESTORE, 2, this.changesKey, this.revisionKey, ruleId, version, previous ? JSON.stringify(previous) : '');
  }
}

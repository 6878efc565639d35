import Redis from 'ioredis';
import { infraEnv } from './infra-env';

/** `text` with Redis glob metacharacters escaped, so SCAN MATCH treats it literally. */
export function escapeRedisGlob(text: string): string {
  return text.replace(/[\\*?[\]^-]/g, (c) => `\\${c}`);
}

/**
 * Deletes every key that starts with `prefix` (a test's testPrefix()), by SCAN + UNLINK
 * so a big keyspace never blocks Redis. Returns how many keys were deleted.
 */
export async function deleteRedisKeysByPrefix(prefix: string, redis: Redis | string = infraEnv().redisUrl): Promise<number> {
  if (prefix.length === 0) throw new Error('deleteRedisKeysByPrefix: prefix must not be empty (that would delete every key)');
  const client = typeof redis === 'string' ? new Redis(redis, { lazyConnect: true, maxRetriesPerRequest: 1 }) : redis;
  if (typeof redis === 'string') await client.connect();
  let deleted = 0;
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${escapeRedisGlob(prefix)}*`, 'COUNT', 500);
      cursor = next;
      if (keys.length > 0) deleted += await client.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    if (typeof redis === 'string') client.disconnect();
  }
  return deleted;
}

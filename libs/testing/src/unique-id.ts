import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

/**
 * A short random id of lowercase letters and digits: safe in Kafka topic names,
 * Postgres identifiers (after a letter), Redis keys and URLs alike.
 */
export function uniqueId(length = 8): string {
  if (!Number.isInteger(length) || length < 1 || length > 64) {
    throw new RangeError(`uniqueId: length must be an integer from 1 to 64, got ${String(length)}`);
  }
  const bytes = randomBytes(length);
  let id = '';
  for (const byte of bytes) id += ALPHABET[byte % ALPHABET.length];
  return id;
}

/**
 * A fresh prefix such as `t1a2b3c.` for topic names, consumer groups, Redis keys and
 * registry subjects, so test files (and repeated runs) never see each other's data.
 * Call it once per test file; pass it as VIGIL_TOPIC_PREFIX to code under test.
 */
export function testPrefix(): string {
  return `t${uniqueId(6)}.`;
}

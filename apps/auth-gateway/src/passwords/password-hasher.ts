import { argon2, randomBytes, timingSafeEqual, type Argon2Parameters } from 'node:crypto';

/**
 * Argon2id through Node 24's built-in `crypto.argon2` (OpenSSL 3.2+): no native addon or
 * install script to carry, and it runs on libuv's thread pool so the event loop is free
 * while it hashes. Stored as a PHC string so the parameters travel with each hash and can
 * be raised later (needsRehash).
 */
export interface Argon2idCost {
  /** Memory in KiB. */
  memoryKiB: number;
  passes: number;
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet's first Argon2id setting: m = 19 MiB, t = 2, p = 1. */
export const OWASP_ARGON2ID: Argon2idCost = { memoryKiB: 19 * 1024, passes: 2, parallelism: 1 };

const SALT_BYTES = 16;
const TAG_BYTES = 32;
const PHC = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/;

function derive(password: string, salt: Buffer, cost: Argon2idCost, tagLength: number): Promise<Buffer> {
  const parameters: Argon2Parameters = {
    // Exactly as typed (ASVS 5.0 V6): the UTF-8 bytes of the string, no trimming or normalising.
    message: Buffer.from(password, 'utf8'),
    nonce: salt,
    parallelism: cost.parallelism,
    tagLength,
    memory: cost.memoryKiB,
    passes: cost.passes,
  };
  return new Promise((resolve, reject) => argon2('argon2id', parameters, (error, key) => (error ? reject(error) : resolve(Buffer.from(key)))));
}

const b64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '');

export class PasswordHasher {
  constructor(private readonly cost: Argon2idCost = OWASP_ARGON2ID) {}

  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const tag = await derive(password, salt, this.cost, TAG_BYTES);
    const { memoryKiB: m, passes: t, parallelism: p } = this.cost;
    return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(tag)}`;
  }

  /** True when `password` matches `stored`; false for a mismatch or a hash that is not ours. */
  async verify(stored: string, password: string): Promise<boolean> {
    const parsed = PHC.exec(stored);
    if (!parsed) return false;
    const cost = { memoryKiB: Number(parsed[1]), passes: Number(parsed[2]), parallelism: Number(parsed[3]) };
    const salt = Buffer.from(parsed[4], 'base64');
    const expected = Buffer.from(parsed[5], 'base64');
    const actual = await derive(password, salt, cost, expected.length);
    return timingSafeEqual(actual, expected);
  }

  /** Whether `stored` was made with weaker parameters than this hasher's (rehash after a good login). */
  needsRehash(stored: string): boolean {
    const parsed = PHC.exec(stored);
    if (!parsed) return true;
    return Number(parsed[1]) < this.cost.memoryKiB || Number(parsed[2]) < this.cost.passes;
  }
}

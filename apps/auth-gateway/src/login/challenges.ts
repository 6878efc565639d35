import { createHash, randomBytes } from 'node:crypto';
import type Redis from 'ioredis';

export type ChallengePurpose = 'mfa' | 'enrol';

export interface Challenge {
  userId: string;
  purpose: ChallengePurpose;
}

/** Opaque 256-bit random, base64url; only its SHA-256 is kept (a dump of Redis gives nothing usable). */
export function newOpaqueToken(): string {
  return randomBytes(32).toString('base64url');
}

export function tokenHash(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/**
 * What a correct password earns: a short-lived challenge that only the MFA step (or the
 * enrolment) can redeem. Kept in Redis under the hash of its token.
 */
export class Challenges {
  constructor(
    private readonly redis: Redis,
    private readonly keyPrefix: string,
    readonly ttlSec = 300,
  ) {}

  private key(token: string): string {
    return `${this.keyPrefix}challenge:${tokenHash(token).toString('hex')}`;
  }

  async create(challenge: Challenge): Promise<string> {
    const token = newOpaqueToken();
    await this.redis.set(this.key(token), JSON.stringify(challenge), 'EX', this.ttlSec);
    return token;
  }

  async find(token: string, purpose: ChallengePurpose): Promise<Challenge | undefined> {
    const raw = await this.redis.get(this.key(token));
    if (!raw) return undefined;
    const challenge = JSON.parse(raw) as Challenge;
    return challenge.purpose === purpose ? challenge : undefined;
  }

  async consume(token: string): Promise<void> {
    await this.redis.del(this.key(token));
  }
}

import { randomUUID } from 'node:crypto';
import type Redis from 'ioredis';

export type AttemptScope = 'login' | 'mfa';
export type SubjectKind = 'account' | 'ip';

export interface BruteForceOptions {
  /** Redis key prefix (tests give a unique one). */
  keyPrefix: string;
  /** Failures in the sliding window that lock an account; default 5. */
  accountThreshold: number;
  /** Failures in the sliding window that lock an address; default 20. */
  ipThreshold: number;
  /** Sliding window; default 15 min. */
  windowMs: number;
  /** First lock; each further lock within a day doubles it, up to maxLockMs. */
  lockMs: number;
  maxLockMs: number;
  /** Failed attempts per account per hour, ever (ASVS: at most 100); default 100. */
  hourlyLimit: number;
  now: () => number;
}

export const DEFAULT_BRUTE_FORCE: Omit<BruteForceOptions, 'keyPrefix'> = {
  accountThreshold: 5,
  ipThreshold: 20,
  windowMs: 15 * 60_000,
  lockMs: 15 * 60_000,
  maxLockMs: 24 * 3_600_000,
  hourlyLimit: 100,
  now: () => Date.now(),
};

export interface Subject {
  kind: SubjectKind;
  id: string;
}

export interface LockState {
  locked: boolean;
  retryAfterSec: number;
  subject?: Subject;
}

export interface NewLock {
  subject: Subject;
  failures: number;
  lockSec: number;
  /** 1 for the first lock today, 2 for the second, ... */
  lockNumber: number;
  reason: 'window' | 'hourly_limit';
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * Failed-attempt counters in Redis, per account and per address, for password logins and
 * MFA codes. Sliding windows are sorted sets scored by time (the clock is injectable, so
 * tests move time instead of waiting); a lock is the time it ends, kept with a matching TTL.
 * Every attempt of a locked subject is refused without checking the password.
 */
export class BruteForceService {
  private readonly options: BruteForceOptions;

  constructor(
    private readonly redis: Redis,
    options: Partial<BruteForceOptions> & Pick<BruteForceOptions, 'keyPrefix'>,
  ) {
    this.options = { ...DEFAULT_BRUTE_FORCE, ...options };
  }

  private key(scope: AttemptScope, subject: Subject, part: 'win' | 'hour' | 'lock' | 'locks'): string {
    return `${this.options.keyPrefix}bf:${scope}:${subject.kind}:${subject.id}:${part}`;
  }

  /** Whether any of the subjects is locked now, and for how long. */
  async check(scope: AttemptScope, subjects: Subject[]): Promise<LockState> {
    const now = this.options.now();
    let worst: LockState = { locked: false, retryAfterSec: 0 };
    for (const subject of subjects) {
      const [until, oldestInHour, inHour] = await Promise.all([
        this.redis.get(this.key(scope, subject, 'lock')),
        subject.kind === 'account' ? this.redis.zrangebyscore(this.key(scope, subject, 'hour'), now - HOUR_MS, '+inf', 'WITHSCORES', 'LIMIT', 0, 1) : Promise.resolve([]),
        subject.kind === 'account' ? this.redis.zcount(this.key(scope, subject, 'hour'), now - HOUR_MS, '+inf') : Promise.resolve(0),
      ]);
      let endsAt = until && Number(until) > now ? Number(until) : 0;
      if (inHour >= this.options.hourlyLimit && oldestInHour.length === 2) endsAt = Math.max(endsAt, Number(oldestInHour[1]) + HOUR_MS);
      if (endsAt > now) {
        const retryAfterSec = Math.ceil((endsAt - now) / 1000);
        if (retryAfterSec > worst.retryAfterSec) worst = { locked: true, retryAfterSec, subject };
      }
    }
    return worst;
  }

  /** Counts a failure against every subject; returns the locks it started (each one is an incident). */
  async recordFailure(scope: AttemptScope, subjects: Subject[]): Promise<NewLock[]> {
    const { now, windowMs } = { now: this.options.now(), windowMs: this.options.windowMs };
    const locks: NewLock[] = [];
    for (const subject of subjects) {
      const win = this.key(scope, subject, 'win');
      const hour = this.key(scope, subject, 'hour');
      const member = `${now}:${randomUUID()}`;
      const results = await this.redis
        .multi()
        .zadd(win, now, member)
        .zremrangebyscore(win, '-inf', now - windowMs)
        .zcard(win)
        .pexpire(win, windowMs)
        .zadd(hour, now, member)
        .zremrangebyscore(hour, '-inf', now - HOUR_MS)
        .zcard(hour)
        .pexpire(hour, HOUR_MS)
        .exec();
      const inWindow = Number(results?.[2]?.[1] ?? 0);
      const inHour = Number(results?.[6]?.[1] ?? 0);
      const threshold = subject.kind === 'account' ? this.options.accountThreshold : this.options.ipThreshold;
      if (inWindow >= threshold) {
        const lockNumber = await this.redis.incr(this.key(scope, subject, 'locks'));
        await this.redis.pexpire(this.key(scope, subject, 'locks'), DAY_MS);
        const lockMs = Math.min(this.options.lockMs * 2 ** (lockNumber - 1), this.options.maxLockMs);
        await this.redis.set(this.key(scope, subject, 'lock'), String(now + lockMs), 'PX', lockMs);
        // The window starts afresh after the lock; the hourly count does not.
        await this.redis.del(win);
        locks.push({ subject, failures: inWindow, lockSec: Math.round(lockMs / 1000), lockNumber, reason: 'window' });
      } else if (subject.kind === 'account' && inHour === this.options.hourlyLimit) {
        locks.push({ subject, failures: inHour, lockSec: Math.round(HOUR_MS / 1000), lockNumber: 0, reason: 'hourly_limit' });
      }
    }
    return locks;
  }

  /** A success clears the account's sliding window (not its hourly count, not its lock history). */
  async recordSuccess(scope: AttemptScope, account: string): Promise<void> {
    await this.redis.del(this.key(scope, { kind: 'account', id: account }, 'win'));
  }

  /** Admin unlock. */
  async unlock(scope: AttemptScope, account: string): Promise<void> {
    const subject: Subject = { kind: 'account', id: account };
    await this.redis.del(this.key(scope, subject, 'win'), this.key(scope, subject, 'lock'), this.key(scope, subject, 'hour'));
  }
}

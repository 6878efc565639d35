import { Inject, Injectable } from '@nestjs/common';
import { AuthError, type Principal } from '@vigil/auth';
import { REDIS_CLIENT, SERVICE_CONFIG } from '@vigil/service';
import type Redis from 'ioredis';
import type { Pool } from 'pg';
import type { AuthGatewayConfig } from '../auth-gateway.config';
import { AUTH_DB } from '../store/auth-db.provider';
import { AuthStore } from '../store/auth.store';

// How long this replica trusts what Postgres said about a session. Redis carries revocations
// to every replica at once; Postgres is the durable record should Redis lose its keys.
const DB_CACHE_MS = 5_000;
const DB_CACHE_MAX = 10_000;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Whether the session an access token belongs to is still live, so that logout, user disable
 * and session revocation end access at once at the gateway (the proxy and its own routes),
 * not when the access token expires. Revoking marks the session in Redis (shared by every
 * replica, kept as long as a token of it can live); each check asks Redis, and Postgres at
 * most every 5 s per session.
 */
@Injectable()
export class SessionGate {
  private readonly prefix: string;
  private readonly markTtlSec: number;
  private readonly dbCache = new Map<string, { live: boolean; at: number }>();

  constructor(
    @Inject(REDIS_CLIENT) private readonly redis: Redis,
    @Inject(AUTH_DB) private readonly pool: Pool,
    private readonly store: AuthStore,
    @Inject(SERVICE_CONFIG) config: AuthGatewayConfig,
  ) {
    this.prefix = `vigil:auth:${config.VIGIL_TOPIC_PREFIX}revoked-session:`;
    // A token of the session lives at most its TTL, plus the verifiers' clock tolerance.
    this.markTtlSec = Math.ceil(config.VIGIL_AUTH_ACCESS_TOKEN_TTL / 1000) + 60;
  }

  /** Undefined when the caller may go on; the AuthError (SESSION_REVOKED) when its session has ended. */
  async refusal(principal: Principal): Promise<AuthError | undefined> {
    const key = this.revocationKey(principal);
    if (key === undefined || key instanceof AuthError) return key;
    return this.refusalAfterRedis(principal, (await this.redis.exists(key)) === 1);
  }

  /**
   * The Redis key whose presence means the principal's session was revoked; undefined for a
   * service (its tokens belong to no session: they live minutes); the refusal for a user token
   * without a session. For a caller that checks the key itself (in one call with other checks).
   */
  revocationKey(principal: Principal): string | AuthError | undefined {
    if (principal.type === 'service') return undefined;
    const sid = principal.sessionId;
    if (!sid || !UUID.test(sid)) return new AuthError('SESSION_REVOKED', 'this user token names no session (sid); log in again');
    return this.prefix + sid;
  }

  /** The rest of the check once Redis has answered whether the session is marked revoked. */
  async refusalAfterRedis(principal: Principal, markedRevoked: boolean): Promise<AuthError | undefined> {
    if (principal.type === 'service') return undefined;
    if (markedRevoked) return ended();
    return (await this.liveInDb(principal.sessionId as string)) ? undefined : ended();
  }

  /** Ends one session: its refresh tokens in Postgres, its access tokens at every gateway replica. */
  async revokeSession(sessionId: string, reason: string): Promise<boolean> {
    const revoked = await this.store.revokeSession(sessionId, reason);
    await this.mark([sessionId]);
    return revoked;
  }

  /** Ends every live session of a user (disable, admin revocation); the number ended. */
  async revokeUserSessions(userId: string, reason: string): Promise<number> {
    const ids = await this.store.revokeUserSessions(userId, reason);
    await this.mark(ids);
    return ids.length;
  }

  private async mark(sessionIds: string[]): Promise<void> {
    if (sessionIds.length === 0) return;
    const pipeline = this.redis.pipeline();
    for (const id of sessionIds) {
      pipeline.set(this.prefix + id, '1', 'EX', this.markTtlSec);
      this.dbCache.delete(id);
    }
    for (const [error] of (await pipeline.exec()) ?? []) if (error) throw error;
  }

  private async liveInDb(sid: string): Promise<boolean> {
    const now = Date.now();
    const cached = this.dbCache.get(sid);
    if (cached && now - cached.at < DB_CACHE_MS) return cached.live;
    const { rows } = await this.pool.query<{ live: boolean }>(`select (revoked_at is null and expires_at > now()) as live from auth.sessions where id = $1`, [sid]);
    const live = rows[0]?.live === true;
    if (this.dbCache.size >= DB_CACHE_MAX) this.dbCache.clear();
    this.dbCache.set(sid, { live, at: now });
    return live;
  }
}

const ended = () => new AuthError('SESSION_REVOKED', 'the session of this token has ended (logout, account disabled or sessions revoked); log in again');

import { inTransaction } from '@vigil/database';
import { Inject, Injectable } from '@nestjs/common';
import type { AuditEvent } from '@vigil/contracts';
import type { Pool, PoolClient } from 'pg';
import { AUTH_DB } from './auth-db.provider';

export type MfaState = 'required' | 'pending' | 'enrolled';

export interface UserRow {
  id: string;
  username: string;
  passwordHash: string;
  roles: string[];
  disabled: boolean;
  lockedUntil: Date | null;
  mfaState: MfaState;
}

export interface EnrolmentRow {
  seedCiphertext: string;
  algorithm: 'SHA1' | 'SHA256' | 'SHA512';
  digits: 6 | 8;
  periodSec: number;
  confirmedAt: Date | null;
}

export interface SessionRow {
  id: string;
  userId: string;
  authTime: Date;
  amr: string[];
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface RefreshRow {
  sessionId: string;
  generation: number;
  expiresAt: Date;
  rotatedAt: Date | null;
}

export interface ServiceAccountRow {
  clientId: string;
  secretHash: string;
  roles: string[];
  disabled: boolean;
}

const USER_COLUMNS = `id, username, password_hash as "passwordHash", roles, disabled, locked_until as "lockedUntil", mfa_state as "mfaState"`;

/** The gateway's rows in schema `auth`. Every secret arrives here already hashed or encrypted. */
@Injectable()
export class AuthStore {
  constructor(@Inject(AUTH_DB) private readonly pool: Pool) {}

  async findUserByName(username: string): Promise<UserRow | undefined> {
    const { rows } = await this.pool.query<UserRow>(`select ${USER_COLUMNS} from auth.users where username = $1`, [username]);
    return rows[0];
  }

  async findUser(id: string): Promise<UserRow | undefined> {
    const { rows } = await this.pool.query<UserRow>(`select ${USER_COLUMNS} from auth.users where id = $1`, [id]);
    return rows[0];
  }

  async setMfaState(userId: string, state: MfaState): Promise<void> {
    await this.pool.query(`update auth.users set mfa_state = $2, updated_at = now() where id = $1`, [userId, state]);
  }

  async setDisabled(userId: string, disabled: boolean): Promise<void> {
    await this.pool.query(`update auth.users set disabled = $2, updated_at = now() where id = $1`, [userId, disabled]);
  }

  async updatePasswordHash(userId: string, hash: string): Promise<void> {
    await this.pool.query(`update auth.users set password_hash = $2, updated_at = now() where id = $1`, [userId, hash]);
  }

  /**
   * Creates the first admin in one transaction that first checks no admin exists; false when one
   * does. Its audit event goes to the outbox in the same transaction (the gateway publishes it).
   */
  async createFirstAdmin(user: { id: string; username: string; passwordHash: string }, auditEvent?: AuditEvent): Promise<boolean> {
    return this.transaction(async (client) => {
      // One bootstrap at a time, even when two run at once.
      await client.query(`lock table auth.users in share row exclusive mode`);
      const { rowCount } = await client.query(`select 1 from auth.users where 'admin' = any(roles) limit 1`);
      if (rowCount) return false;
      await client.query(`insert into auth.users (id, username, password_hash, roles) values ($1, $2, $3, '{admin}')`, [user.id, user.username, user.passwordHash]);
      if (auditEvent) await client.query(`insert into auth.audit_outbox (event_id, event) values ($1, $2)`, [auditEvent.eventId, auditEvent]);
      return true;
    });
  }

  async createUser(user: { id: string; username: string; passwordHash: string; roles: string[] }): Promise<void> {
    await this.pool.query(`insert into auth.users (id, username, password_hash, roles) values ($1, $2, $3, $4)`, [user.id, user.username, user.passwordHash, user.roles]);
  }

  async findEnrolment(userId: string): Promise<EnrolmentRow | undefined> {
    const { rows } = await this.pool.query<EnrolmentRow>(
      `select seed_ciphertext as "seedCiphertext", algorithm, digits, period_sec as "periodSec", confirmed_at as "confirmedAt"
         from auth.totp_enrolments where user_id = $1`,
      [userId],
    );
    return rows[0];
  }

  /** Replaces any unconfirmed enrolment; a confirmed one is never overwritten here. False when one is confirmed. */
  async savePendingEnrolment(userId: string, seedCiphertext: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `insert into auth.totp_enrolments (user_id, seed_ciphertext) values ($1, $2)
       on conflict (user_id) do update set seed_ciphertext = excluded.seed_ciphertext, created_at = now()
         where auth.totp_enrolments.confirmed_at is null`,
      [userId, seedCiphertext],
    );
    if (rowCount) await this.setMfaState(userId, 'pending');
    return rowCount === 1;
  }

  async confirmEnrolment(userId: string, recoveryCodeHashes: Buffer[]): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(`update auth.totp_enrolments set confirmed_at = now() where user_id = $1`, [userId]);
      await client.query(`update auth.users set mfa_state = 'enrolled', updated_at = now() where id = $1`, [userId]);
      await client.query(`delete from auth.recovery_codes where user_id = $1`, [userId]);
      for (const hash of recoveryCodeHashes) await client.query(`insert into auth.recovery_codes (user_id, code_hash) values ($1, $2)`, [userId, hash]);
    });
  }

  /** Records a TOTP step as used; false when it already was (a replay, even from a concurrent request). */
  async useTotpStep(userId: string, timeStep: number): Promise<boolean> {
    const { rowCount } = await this.pool.query(`insert into auth.totp_used_steps (user_id, time_step) values ($1, $2) on conflict do nothing`, [userId, timeStep]);
    return rowCount === 1;
  }

  async lastUsedStep(userId: string): Promise<number | undefined> {
    const { rows } = await this.pool.query<{ step: string | null }>(`select max(time_step) as step from auth.totp_used_steps where user_id = $1`, [userId]);
    return rows[0]?.step == null ? undefined : Number(rows[0].step);
  }

  /** Marks an unused recovery code as used; false when there is none with this hash. */
  async useRecoveryCode(userId: string, codeHash: Buffer): Promise<boolean> {
    const { rowCount } = await this.pool.query(`update auth.recovery_codes set used_at = now() where user_id = $1 and code_hash = $2 and used_at is null`, [userId, codeHash]);
    return rowCount === 1;
  }

  async createSession(session: { id: string; userId: string; authTime: Date; amr: string[]; ip?: string; expiresAt: Date }, refresh: { tokenHash: Buffer; expiresAt: Date }): Promise<void> {
    await this.transaction(async (client) => {
      await client.query(`insert into auth.sessions (id, user_id, auth_time, amr, ip, expires_at) values ($1, $2, $3, $4, $5, $6)`, [
        session.id,
        session.userId,
        session.authTime,
        session.amr,
        session.ip ?? null,
        session.expiresAt,
      ]);
      await client.query(`insert into auth.refresh_tokens (token_hash, session_id, generation, expires_at) values ($1, $2, 0, $3)`, [refresh.tokenHash, session.id, refresh.expiresAt]);
    });
  }

  async findSession(id: string): Promise<SessionRow | undefined> {
    const { rows } = await this.pool.query<SessionRow>(
      `select id, user_id as "userId", auth_time as "authTime", amr, expires_at as "expiresAt", revoked_at as "revokedAt" from auth.sessions where id = $1`,
      [id],
    );
    return rows[0];
  }

  async findRefresh(tokenHash: Buffer): Promise<RefreshRow | undefined> {
    const { rows } = await this.pool.query<RefreshRow>(
      `select session_id as "sessionId", generation, expires_at as "expiresAt", rotated_at as "rotatedAt" from auth.refresh_tokens where token_hash = $1`,
      [tokenHash],
    );
    return rows[0];
  }

  /**
   * Exchanges a current refresh token for its successor, atomically: of two requests racing
   * with the same token, one rotates and the other finds it rotated (a replay).
   */
  async rotateRefresh(oldHash: Buffer, next: { tokenHash: Buffer; expiresAt: Date }): Promise<boolean> {
    return this.transaction(async (client) => {
      const { rows } = await client.query<{ sessionId: string; generation: number }>(
        `update auth.refresh_tokens set rotated_at = now() where token_hash = $1 and rotated_at is null returning session_id as "sessionId", generation`,
        [oldHash],
      );
      if (rows.length === 0) return false;
      await client.query(`insert into auth.refresh_tokens (token_hash, session_id, generation, expires_at) values ($1, $2, $3, $4)`, [
        next.tokenHash,
        rows[0].sessionId,
        rows[0].generation + 1,
        next.expiresAt,
      ]);
      return true;
    });
  }

  /** Ends a session at once: its refresh tokens (the whole family) stop working. */
  async revokeSession(id: string, reason: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`update auth.sessions set revoked_at = now(), revoked_reason = $2 where id = $1 and revoked_at is null`, [id, reason]);
    return rowCount === 1;
  }

  /** Ends every live session of the user; the ids of those it ended. */
  async revokeUserSessions(userId: string, reason: string): Promise<string[]> {
    const { rows } = await this.pool.query<{ id: string }>(`update auth.sessions set revoked_at = now(), revoked_reason = $2 where user_id = $1 and revoked_at is null returning id`, [userId, reason]);
    return rows.map((r) => r.id);
  }

  async listUsers(): Promise<Array<Omit<UserRow, 'passwordHash'>>> {
    const { rows } = await this.pool.query<Omit<UserRow, 'passwordHash'>>(
      `select id, username, roles, disabled, locked_until as "lockedUntil", mfa_state as "mfaState" from auth.users order by username`,
    );
    return rows;
  }

  async setRoles(userId: string, roles: string[]): Promise<boolean> {
    const { rowCount } = await this.pool.query(`update auth.users set roles = $2, updated_at = now() where id = $1`, [userId, roles]);
    return rowCount === 1;
  }

  async findServiceAccount(clientId: string): Promise<ServiceAccountRow | undefined> {
    const { rows } = await this.pool.query<ServiceAccountRow>(
      `select client_id as "clientId", secret_hash as "secretHash", roles, disabled from auth.service_accounts where client_id = $1`,
      [clientId],
    );
    return rows[0];
  }

  async createServiceAccount(account: { clientId: string; secretHash: string; roles: string[] }): Promise<void> {
    await this.pool.query(`insert into auth.service_accounts (client_id, secret_hash, roles) values ($1, $2, $3)`, [account.clientId, account.secretHash, account.roles]);
  }

  /** A new secret (hash) for an existing account; false when there is none with this id. */
  async setServiceAccountSecret(clientId: string, secretHash: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`update auth.service_accounts set secret_hash = $2 where client_id = $1`, [clientId, secretHash]);
    return rowCount === 1;
  }

  private transaction<T>(fn: (client: PoolClient) => Promise<T>): Promise<T> {
    return inTransaction(this.pool, fn);
  }
}

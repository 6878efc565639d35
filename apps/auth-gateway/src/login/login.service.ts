import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { issueToken, type Principal } from '@vigil/auth';
import type { AuditActor, JsonObject } from '@vigil/contracts';
import { SERVICE_CONFIG } from '@vigil/service';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { toString as qrSvg } from 'qrcode';
import { AuditRecorder } from '../audit/audit-recorder';
import { TOKEN_AUDIENCES, type AuthGatewayConfig } from '../auth-gateway.config';
import { BruteForceService, type AttemptScope, type NewLock, type Subject } from '../brute-force/brute-force.service';
import type { SeedCipher } from '../crypto/seed-cipher';
import { TOTP_SEED_CIPHER } from '../crypto/totp-seed-cipher.provider';
import { base32Encode } from '../mfa/base32';
import { otpauthUri } from '../mfa/otpauth-uri';
import { AUTHENTICATOR_APP_PARAMS, generateTotpSecret, verifyTotp } from '../mfa/totp';
import { PasswordHasher } from '../passwords/password-hasher';
import { AuthStore, type UserRow } from '../store/auth.store';
import { SessionGate } from '../sessions/session-gate';
import { SigningKeysService } from '../tokens/signing-keys.service';
import { Challenges, newOpaqueToken, tokenHash } from './challenges';
import { invalidChallenge, invalidClient, invalidCode, invalidCredentials, invalidGrant, TooManyAttempts } from './auth-errors';

export const BRUTE_FORCE = Symbol('BRUTE_FORCE');
export const CHALLENGES = Symbol('CHALLENGES');

const ISSUER_LABEL = 'Vigil';
const RECOVERY_CODES = 10;

export interface RequestMeta {
  ip?: string;
  traceId?: string;
}

export interface TokenResponse {
  tokenType: 'Bearer';
  accessToken: string;
  expiresIn: number;
  refreshToken?: string;
  refreshExpiresIn?: number;
}

/** A recovery code: 80 random bits as four groups of four base32 characters. */
function newRecoveryCode(): string {
  return (base32Encode(randomBytes(10), { pad: false }).match(/.{4}/g) ?? []).join('-');
}

function recoveryCodeHash(code: string): Buffer {
  return createHash('sha256').update(code.toUpperCase().replace(/[^A-Z2-7]/g, ''), 'utf8').digest();
}

/**
 * Login, MFA, sessions and tokens. Every outcome is audited (ids and facts only); every lock
 * and every refresh-token replay is a security incident. Nothing secret is logged: the
 * answers carry tokens, seeds and recovery codes to the caller once, and only hashes or
 * ciphertexts are stored.
 */
@Injectable()
export class LoginService {
  private readonly dummyHash: Promise<string>;

  constructor(
    private readonly store: AuthStore,
    private readonly hasher: PasswordHasher,
    private readonly keys: SigningKeysService,
    private readonly audit: AuditRecorder,
    @Inject(BRUTE_FORCE) private readonly bruteForce: BruteForceService,
    @Inject(CHALLENGES) private readonly challenges: Challenges,
    @Inject(TOTP_SEED_CIPHER) private readonly cipher: SeedCipher,
    @Inject(SERVICE_CONFIG) private readonly config: AuthGatewayConfig,
    private readonly sessions: SessionGate,
  ) {
    // Unknown users cost one Argon2id verification too, against this hash of a random password.
    this.dummyHash = hasher.hash(randomBytes(24).toString('base64'));
  }

  async login(username: string, password: string, meta: RequestMeta): Promise<JsonObject> {
    const actor: AuditActor = { type: 'user', id: username, ...(meta.ip ? { ip: meta.ip } : {}) };
    const subjects = this.subjects(`user:${username}`, meta.ip);
    await this.refuseWhileLocked('login', subjects, actor, 'auth.login', meta);

    const user = await this.store.findUserByName(username);
    const matches = user ? await this.hasher.verify(user.passwordHash, password) : (await this.hasher.verify(await this.dummyHash, password), false);
    if (!user || !matches || user.disabled) {
      const locks = await this.bruteForce.recordFailure('login', subjects);
      await this.audit.audit({ actor, action: 'auth.login', resource: 'auth:login', outcome: 'failure', reason: 'invalid credentials', traceId: meta.traceId });
      await this.raiseLocks('login', locks, meta);
      throw invalidCredentials();
    }
    await this.bruteForce.recordSuccess('login', `user:${username}`);
    if (this.hasher.needsRehash(user.passwordHash)) await this.store.updatePasswordHash(user.id, await this.hasher.hash(password));

    const userActor: AuditActor = { type: 'user', id: user.id, roles: user.roles, ...(meta.ip ? { ip: meta.ip } : {}) };
    const enrolled = user.mfaState === 'enrolled';
    const challenge = await this.challenges.create({ userId: user.id, purpose: enrolled ? 'mfa' : 'enrol' });
    await this.audit.audit({
      actor: userActor,
      action: 'auth.login',
      resource: `user:${user.id}`,
      outcome: 'success',
      traceId: meta.traceId,
      details: { step: 'password', next: enrolled ? 'mfa' : 'mfa_enrolment' },
    });
    return enrolled
      ? { status: 'mfa_required', mfaToken: challenge, expiresIn: this.challenges.ttlSec }
      : { status: 'mfa_enrolment_required', enrolmentToken: challenge, expiresIn: this.challenges.ttlSec };
  }

  /** Starts (or restarts) TOTP enrolment: a new seed, its otpauth URI and QR code, shown this once. */
  async startEnrolment(enrolmentToken: string, meta: RequestMeta): Promise<JsonObject> {
    const challenge = await this.challenges.find(enrolmentToken, 'enrol');
    if (!challenge) throw invalidChallenge();
    const user = await this.activeUser(challenge.userId);
    const seed = generateTotpSecret('SHA1');
    const saved = await this.store.savePendingEnrolment(user.id, await this.cipher.encrypt(seed, `totp-seed:${user.id}`));
    if (!saved) throw new HttpException({ error: 'already_enrolled', message: 'MFA is already enrolled for this user' }, HttpStatus.CONFLICT);
    const uri = otpauthUri({ issuer: ISSUER_LABEL, account: user.username, secret: seed, params: AUTHENTICATOR_APP_PARAMS });
    const svg = await qrSvg(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
    await this.audit.audit({ actor: this.actorOf(user, meta), action: 'auth.mfa.enrol.start', resource: `user:${user.id}`, outcome: 'success', traceId: meta.traceId });
    return {
      otpauthUri: uri,
      // For typing into an app that cannot scan.
      manualEntryKey: base32Encode(seed, { pad: false }),
      qrCodeSvg: `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`,
      algorithm: AUTHENTICATOR_APP_PARAMS.algorithm,
      digits: AUTHENTICATOR_APP_PARAMS.digits,
      period: AUTHENTICATOR_APP_PARAMS.periodSec,
    };
  }

  /** Confirms enrolment with a first code: MFA is on, recovery codes are shown once, a session opens. */
  async confirmEnrolment(enrolmentToken: string, code: string, meta: RequestMeta): Promise<JsonObject> {
    const challenge = await this.challenges.find(enrolmentToken, 'enrol');
    if (!challenge) throw invalidChallenge();
    const user = await this.activeUser(challenge.userId);
    await this.checkTotp(user, code, meta, 'auth.mfa.enrol.confirm');
    const codes = Array.from({ length: RECOVERY_CODES }, newRecoveryCode);
    await this.store.confirmEnrolment(user.id, codes.map(recoveryCodeHash));
    await this.challenges.consume(enrolmentToken);
    const tokens = await this.openSession(user, ['pwd', 'otp'], meta);
    return { ...tokens, recoveryCodes: codes };
  }

  /** The second factor of a login: a TOTP code (each time step once) or an unused recovery code. */
  async verifyMfa(mfaToken: string, proof: { code?: string; recoveryCode?: string }, meta: RequestMeta): Promise<TokenResponse> {
    const challenge = await this.challenges.find(mfaToken, 'mfa');
    if (!challenge) throw invalidChallenge();
    const user = await this.activeUser(challenge.userId);
    let amr: string[];
    if (proof.recoveryCode !== undefined) {
      await this.checkRecoveryCode(user, proof.recoveryCode, meta);
      amr = ['pwd', 'mfa'];
    } else {
      await this.checkTotp(user, proof.code ?? '', meta, 'auth.mfa.verify');
      amr = ['pwd', 'otp'];
    }
    await this.challenges.consume(mfaToken);
    return this.openSession(user, amr, meta);
  }

  /** A fresh TOTP check for a signed-in user: a new access token whose auth_time is now. */
  async stepUp(principal: Principal, code: string, meta: RequestMeta): Promise<TokenResponse> {
    if (principal.type !== 'user') throw new HttpException({ error: 'forbidden', message: 'step-up is for users; services cannot do MFA' }, HttpStatus.FORBIDDEN);
    const user = await this.activeUser(principal.id);
    if (user.mfaState !== 'enrolled') throw invalidCode();
    await this.checkTotp(user, code, meta, 'auth.step_up');
    const now = Date.now();
    const accessToken = await this.accessToken(user.id, 'user', user.roles, Math.floor(now / 1000), ['pwd', 'otp'], this.config.VIGIL_AUTH_ACCESS_TOKEN_TTL, meta, 'step_up', principal.sessionId);
    return { tokenType: 'Bearer', accessToken, expiresIn: this.ttlSec(this.config.VIGIL_AUTH_ACCESS_TOKEN_TTL) };
  }

  /** Rotates a refresh token. A token used twice means it was copied: the whole family (session) is revoked. */
  async refresh(refreshToken: string, meta: RequestMeta): Promise<TokenResponse> {
    const hash = tokenHash(refreshToken);
    const row = await this.store.findRefresh(hash);
    const anonymous: AuditActor = { type: 'user', id: 'anonymous', ...(meta.ip ? { ip: meta.ip } : {}) };
    if (!row) {
      await this.audit.audit({ actor: anonymous, action: 'auth.token.refresh', resource: 'auth:refresh', outcome: 'failure', reason: 'unknown refresh token', traceId: meta.traceId });
      throw invalidGrant();
    }
    const session = await this.store.findSession(row.sessionId);
    const user = session ? await this.store.findUser(session.userId) : undefined;
    if (!session || !user) throw invalidGrant();
    const actor = this.actorOf(user, meta);
    const resource = `session:${session.id}`;
    if (row.rotatedAt) return this.replayed(user, session.id, row.generation, actor, meta);
    const failure = session.revokedAt
      ? 'session revoked'
      : session.expiresAt.getTime() <= Date.now()
        ? 'session expired'
        : row.expiresAt.getTime() <= Date.now()
          ? 'refresh token expired'
          : user.disabled
            ? 'user disabled'
            : undefined;
    if (failure) {
      await this.audit.audit({ actor, action: 'auth.token.refresh', resource, outcome: 'failure', reason: failure, traceId: meta.traceId });
      throw invalidGrant();
    }
    const next = newOpaqueToken();
    const refreshExpiresAt = new Date(Math.min(Date.now() + this.config.VIGIL_AUTH_REFRESH_TOKEN_TTL, session.expiresAt.getTime()));
    // Two requests racing with one token: one rotates, the other is a replay.
    if (!(await this.store.rotateRefresh(hash, { tokenHash: tokenHash(next), expiresAt: refreshExpiresAt }))) return this.replayed(user, session.id, row.generation, actor, meta);
    const accessToken = await this.accessToken(user.id, 'user', user.roles, Math.floor(session.authTime.getTime() / 1000), session.amr, this.config.VIGIL_AUTH_ACCESS_TOKEN_TTL, meta, 'refresh', session.id);
    await this.audit.audit({ actor, action: 'auth.token.refresh', resource, outcome: 'success', traceId: meta.traceId, details: { generation: row.generation + 1 } });
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: this.ttlSec(this.config.VIGIL_AUTH_ACCESS_TOKEN_TTL),
      refreshToken: next,
      refreshExpiresIn: Math.floor((refreshExpiresAt.getTime() - Date.now()) / 1000),
    };
  }

  /** Ends the refresh token's session at once. Unknown tokens get the same answer (nothing to learn). */
  async logout(refreshToken: string, meta: RequestMeta): Promise<void> {
    const row = await this.store.findRefresh(tokenHash(refreshToken));
    const session = row ? await this.store.findSession(row.sessionId) : undefined;
    const user = session ? await this.store.findUser(session.userId) : undefined;
    if (session && user) {
      const revoked = await this.sessions.revokeSession(session.id, 'logout');
      await this.audit.audit({ actor: this.actorOf(user, meta), action: 'auth.logout', resource: `session:${session.id}`, outcome: revoked ? 'success' : 'failure', reason: revoked ? undefined : 'session already ended', traceId: meta.traceId });
    } else {
      await this.audit.audit({ actor: { type: 'user', id: 'anonymous', ...(meta.ip ? { ip: meta.ip } : {}) }, action: 'auth.logout', resource: 'auth:logout', outcome: 'failure', reason: 'unknown refresh token', traceId: meta.traceId });
    }
  }

  /** OAuth 2.0 client credentials: a service's client id and secret for a short token with its roles. */
  async clientCredentials(clientId: string, clientSecret: string, meta: RequestMeta): Promise<TokenResponse> {
    const actor: AuditActor = { type: 'service', id: clientId, ...(meta.ip ? { ip: meta.ip } : {}) };
    const subjects = this.subjects(`client:${clientId}`, meta.ip);
    await this.refuseWhileLocked('login', subjects, actor, 'auth.client_credentials', meta);
    const account = await this.store.findServiceAccount(clientId);
    const matches = account ? await this.hasher.verify(account.secretHash, clientSecret) : (await this.hasher.verify(await this.dummyHash, clientSecret), false);
    if (!account || !matches || account.disabled) {
      const locks = await this.bruteForce.recordFailure('login', subjects);
      await this.audit.audit({ actor, action: 'auth.client_credentials', resource: `client:${clientId}`, outcome: 'failure', reason: 'invalid client', traceId: meta.traceId });
      await this.raiseLocks('login', locks, meta);
      throw invalidClient();
    }
    const ttl = this.config.VIGIL_AUTH_SERVICE_TOKEN_TTL;
    const accessToken = await this.accessToken(clientId, 'service', account.roles, Math.floor(Date.now() / 1000), ['pwd'], ttl, meta, 'client_credentials');
    await this.audit.audit({ actor: { ...actor, roles: account.roles }, action: 'auth.client_credentials', resource: `client:${clientId}`, outcome: 'success', traceId: meta.traceId });
    return { tokenType: 'Bearer', accessToken, expiresIn: this.ttlSec(ttl) };
  }

  // --- the parts -------------------------------------------------------------------------

  private async openSession(user: UserRow, amr: string[], meta: RequestMeta): Promise<TokenResponse> {
    const now = Date.now();
    const sessionId = randomUUID();
    const refreshToken = newOpaqueToken();
    const expiresAt = new Date(now + this.config.VIGIL_AUTH_SESSION_TTL);
    const refreshExpiresAt = new Date(Math.min(now + this.config.VIGIL_AUTH_REFRESH_TOKEN_TTL, expiresAt.getTime()));
    await this.store.createSession(
      { id: sessionId, userId: user.id, authTime: new Date(now), amr, ip: meta.ip, expiresAt },
      { tokenHash: tokenHash(refreshToken), expiresAt: refreshExpiresAt },
    );
    const accessToken = await this.accessToken(user.id, 'user', user.roles, Math.floor(now / 1000), amr, this.config.VIGIL_AUTH_ACCESS_TOKEN_TTL, meta, 'login', sessionId);
    return {
      tokenType: 'Bearer',
      accessToken,
      expiresIn: this.ttlSec(this.config.VIGIL_AUTH_ACCESS_TOKEN_TTL),
      refreshToken,
      refreshExpiresIn: Math.floor((refreshExpiresAt.getTime() - now) / 1000),
    };
  }

  private async accessToken(
    subject: string,
    principalType: Principal['type'],
    roles: string[],
    authTime: number,
    amr: string[],
    ttlMs: number,
    meta: RequestMeta,
    grant: string,
    sessionId?: string,
  ): Promise<string> {
    const jti = randomUUID();
    const token = await issueToken(await this.keys.activeKey(), {
      issuer: this.config.VIGIL_AUTH_ISSUER,
      audience: [...TOKEN_AUDIENCES],
      subject,
      principalType,
      roles,
      authTime,
      amr,
      ttlSec: this.ttlSec(ttlMs),
      jti,
      sessionId,
    });
    await this.audit.audit({
      actor: { type: principalType, id: subject, roles, ...(meta.ip ? { ip: meta.ip } : {}) },
      action: 'auth.token.issue',
      resource: sessionId ? `session:${sessionId}` : `${principalType}:${subject}`,
      outcome: 'success',
      traceId: meta.traceId,
      details: { tokenId: jti, grant, amr, authTime },
    });
    return token;
  }

  private async checkTotp(user: UserRow, code: string, meta: RequestMeta, action: string): Promise<void> {
    const actor = this.actorOf(user, meta);
    const subjects = this.subjects(`user:${user.id}`, meta.ip);
    await this.refuseWhileLocked('mfa', subjects, actor, action, meta);
    const enrolment = await this.store.findEnrolment(user.id);
    if (!enrolment) throw invalidCode();
    const seed = await this.cipher.decrypt(enrolment.seedCiphertext, `totp-seed:${user.id}`);
    const params = { algorithm: enrolment.algorithm, digits: enrolment.digits, periodSec: enrolment.periodSec };
    const result = verifyTotp(seed, typeof code === 'string' ? code : '', { params, lastAcceptedStep: await this.store.lastUsedStep(user.id) });
    seed.fill(0);
    const accepted = result.ok && (await this.store.useTotpStep(user.id, result.timeStep));
    if (!accepted) {
      const reason = result.ok || result.reason === 'replayed' ? 'code already used' : 'wrong code';
      const locks = await this.bruteForce.recordFailure('mfa', subjects);
      await this.audit.audit({ actor, action, resource: `user:${user.id}`, outcome: 'failure', reason, traceId: meta.traceId });
      await this.raiseLocks('mfa', locks, meta);
      throw invalidCode();
    }
    await this.bruteForce.recordSuccess('mfa', `user:${user.id}`);
    await this.audit.audit({ actor, action, resource: `user:${user.id}`, outcome: 'success', traceId: meta.traceId, details: { method: 'totp' } });
  }

  private async checkRecoveryCode(user: UserRow, code: string, meta: RequestMeta): Promise<void> {
    const actor = this.actorOf(user, meta);
    const subjects = this.subjects(`user:${user.id}`, meta.ip);
    await this.refuseWhileLocked('mfa', subjects, actor, 'auth.mfa.verify', meta);
    if (typeof code !== 'string' || !(await this.store.useRecoveryCode(user.id, recoveryCodeHash(code)))) {
      const locks = await this.bruteForce.recordFailure('mfa', subjects);
      await this.audit.audit({ actor, action: 'auth.mfa.verify', resource: `user:${user.id}`, outcome: 'failure', reason: 'wrong or used recovery code', traceId: meta.traceId });
      await this.raiseLocks('mfa', locks, meta);
      throw invalidCode();
    }
    await this.bruteForce.recordSuccess('mfa', `user:${user.id}`);
    await this.audit.audit({ actor, action: 'auth.mfa.verify', resource: `user:${user.id}`, outcome: 'success', traceId: meta.traceId, details: { method: 'recovery_code' } });
  }

  private async replayed(user: UserRow, sessionId: string, generation: number, actor: AuditActor, meta: RequestMeta): Promise<never> {
    await this.sessions.revokeSession(sessionId, 'refresh_token_replay');
    await this.audit.audit({ actor, action: 'auth.token.refresh', resource: `session:${sessionId}`, outcome: 'failure', reason: 'refresh token reused: session revoked', traceId: meta.traceId, details: { generation } });
    await this.audit.incident('TOKEN_REPLAY', 'CRITICAL', `user:${user.id}`, `A rotated refresh token of session ${sessionId} was presented again; the session and all its refresh tokens are revoked.`, {
      sessionId,
      generation,
      ...(meta.ip ? { sourceIp: meta.ip } : {}),
    });
    throw invalidGrant();
  }

  private async refuseWhileLocked(scope: AttemptScope, subjects: Subject[], actor: AuditActor, action: string, meta: RequestMeta): Promise<void> {
    const state = await this.bruteForce.check(scope, subjects);
    if (!state.locked) return;
    await this.audit.audit({ actor, action, resource: `${scope}:${state.subject?.kind ?? 'account'}`, outcome: 'denied', reason: 'locked after repeated failures', traceId: meta.traceId, details: { retryAfterSec: state.retryAfterSec } });
    throw new TooManyAttempts(state.retryAfterSec);
  }

  private async raiseLocks(scope: AttemptScope, locks: NewLock[], meta: RequestMeta): Promise<void> {
    for (const lock of locks) {
      const what = scope === 'login' ? 'failed logins' : 'failed MFA codes';
      await this.audit.incident(
        scope === 'login' ? 'BRUTE_FORCE' : 'MFA_FAILURE_BURST',
        lock.lockNumber > 1 || lock.reason === 'hourly_limit' ? 'HIGH' : 'MEDIUM',
        `${lock.subject.kind}:${lock.subject.id}`,
        `${lock.failures} ${what} for ${lock.subject.kind} ${lock.subject.id}; locked for ${lock.lockSec} s.`,
        { failures: lock.failures, lockSeconds: lock.lockSec, lockNumber: lock.lockNumber, limit: lock.reason, ...(meta.ip ? { sourceIp: meta.ip } : {}) },
      );
    }
  }

  private subjects(account: string, ip?: string): Subject[] {
    return ip ? [{ kind: 'account', id: account }, { kind: 'ip', id: ip }] : [{ kind: 'account', id: account }];
  }

  private async activeUser(userId: string): Promise<UserRow> {
    const user = await this.store.findUser(userId);
    if (!user || user.disabled) throw invalidChallenge();
    return user;
  }

  private actorOf(user: UserRow, meta: RequestMeta): AuditActor {
    return { type: 'user', id: user.id, roles: user.roles, ...(meta.ip ? { ip: meta.ip } : {}) };
  }

  private ttlSec(ms: number): number {
    return Math.max(1, Math.floor(ms / 1000));
  }
}


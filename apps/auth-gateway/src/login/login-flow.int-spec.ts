import { createTokenVerifier, issueToken } from '@vigil/auth';
import { loadConfig } from '@vigil/config';
import { auditEventsContract, securityIncidentsContract, type AuditEvent, type SecurityIncident } from '@vigil/contracts';
import { createConsumerRunner, silentLogger, type ConsumerRunner } from '@vigil/kafka';
import { createLogger } from '@vigil/observability';
import { startService, type RunningService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, LeakScanSecrets, registerSecretForLeakScan, serviceEnv, testPrefix, type ThrowawayDatabase } from '@vigil/testing';
import type { JWK } from 'jose';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Pool } from 'pg';
import { AppModule } from '../app.module';
import { authGatewayConfig } from '../auth-gateway.config';
import { LocalSeedCipher } from '../crypto/seed-cipher';
import { base32Decode } from '../mfa/base32';
import { totp } from '../mfa/totp';
import { PasswordHasher } from '../passwords/password-hasher';
import { AuthStore } from '../store/auth.store';
import { activeSigningKey, liveSession as liveSessionRow, until } from '../test-support/gateway-test-kit';
import { bootstrapAdmin } from '../users/bootstrap-admin';

// The gateway as its main starts it, against the local Postgres (a throwaway database), Redis,
// Kafka and the registry (topics and Redis keys under a unique prefix). Its logs are captured
// at debug level and scanned for secrets at the end, with the events read back from the topics.

const ISSUER = 'vigil-auth-gateway';
const ADMIN_PASSWORD = `admin pass ${randomBytes(8).toString('hex')}`;
const BOB_PASSWORD = `bob pass ${randomBytes(8).toString('hex')}`;
const CLIENT_SECRET = randomBytes(24).toString('base64url');

let db: ThrowawayDatabase;
let pool: Pool;
let prefix: string;
let gateway: RunningService;
let consumer: ConsumerRunner<AuditEvent | SecurityIncident>;
let seedKey: Buffer;
const audits: AuditEvent[] = [];
const incidents: SecurityIncident[] = [];
const rawEvents: string[] = [];
const logLines: string[] = [];
/** Every secret the test saw or made: none may appear in a log line or an event (here, and in the suite-wide leak scan). */
const secrets = new LeakScanSecrets('auth-gateway login-flow test');
secrets.add(ADMIN_PASSWORD, 'admin password').add(BOB_PASSWORD, 'bob password').add(CLIENT_SECRET, 'svc-vault client secret');

async function post(pathname: string, body: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${gateway.url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
}

/** Adds the secrets of an answer (from post(): its body) or of a body itself to `secrets`; returns what it was given. */
function keep<T extends Record<string, unknown>>(answer: T): T {
  const body = (answer?.['body'] && typeof answer['body'] === 'object' ? answer['body'] : answer) as Record<string, unknown>;
  for (const key of ['accessToken', 'refreshToken', 'mfaToken', 'enrolmentToken', 'manualEntryKey', 'otpauthUri']) {
    if (typeof body?.[key] === 'string') secrets.add(body[key] as string, key);
  }
  if (Array.isArray(body?.['recoveryCodes'])) for (const code of body['recoveryCodes'] as string[]) secrets.add(code, 'recovery code');
  return answer;
}

beforeAll(async () => {
  db = await createThrowawayDatabase();
  pool = new Pool({ connectionString: db.url, max: 2 });
  prefix = testPrefix();
  seedKey = registerSecretForLeakScan(randomBytes(32), 'auth-gateway seed key');
  const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'gw-seed-')), 'seed.key');
  writeFileSync(keyFile, seedKey.toString('base64'), { mode: 0o600 });
  const config = loadConfig(authGatewayConfig, {
    ...process.env,
    ...serviceEnv(infraEnv(), prefix),
    VIGIL_DATABASE_URL: db.url,
    VIGIL_HTTP_PORT: '0',
    VIGIL_LOG_LEVEL: 'debug',
    VIGIL_AUTH_SEED_KEY_FILE: keyFile,
    // Every request comes from 127.0.0.1: keep the per-address lock out of the per-account tests.
    VIGIL_AUTH_IP_LOCK_THRESHOLD: '1000',
    // The rate limits have their own test; here 101 logins come in a few seconds.
    VIGIL_RATE_LOGIN_IP_PER_SEC: '100000',
    VIGIL_RATE_LOGIN_IP_BURST: '100000',
    VIGIL_RATE_LOGIN_ACCOUNT_PER_SEC: '100000',
    VIGIL_RATE_LOGIN_ACCOUNT_BURST: '100000',
  });
  const capture = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
  gateway = await startService({ name: 'auth-gateway', module: AppModule, config, logger: createLogger('auth-gateway', 'debug', capture) });
  await until('the gateway to be ready', async () => ((await fetch(`${gateway.url}/readyz`)).status === 200 ? true : undefined));
  const infra = infraEnv();
  consumer = createConsumerRunner<AuditEvent | SecurityIncident>({
    brokers: infra.kafkaBrokers,
    clientId: 'auth-gateway-int-test',
    topicPrefix: prefix,
    registryUrl: infra.registryUrl,
    groupId: `${prefix}reader`,
    contracts: [auditEventsContract, securityIncidentsContract] as never,
    logger: silentLogger,
    lagIntervalMs: 0,
    handler: async (messages) => {
      for (const m of messages) {
        rawEvents.push(JSON.stringify(m.value));
        if (m.topic.endsWith('security.incidents.v1')) incidents.push(m.value as SecurityIncident);
        else audits.push(m.value as AuditEvent);
      }
    },
  });
  void consumer.start();
});

afterAll(async () => {
  await consumer?.stop();
  if (gateway) await gateway.stop('test');
  await pool?.end();
  await db?.drop();
});

let seed: Buffer;
let adminId: string;
let recoveryCodes: string[];
let steppedToken: string;
/** The code that confirmed enrolment: replaying that exact code is the attack (recomputing "now" could land on the next step). */
let confirmCode: string;

describe('auth-gateway login, MFA and tokens', () => {
  it('has no default account; the bootstrap creates the first admin once', async () => {
    // The gateway migrated the schema at start-up: the users table exists and is empty.
    expect((await pool.query('select count(*)::int as n from auth.users')).rows[0].n).toBe(0);
    expect(await bootstrapAdmin(pool, 'root-admin', 'password')).toMatchObject({ created: false, reason: 'bad_password' });
    const created = await bootstrapAdmin(pool, 'root-admin', ADMIN_PASSWORD);
    expect(created).toMatchObject({ created: true });
    adminId = (created as { userId: string }).userId;
    expect(await bootstrapAdmin(pool, 'second-admin', ADMIN_PASSWORD + 'x')).toMatchObject({ created: false, reason: 'admin_exists' });
    // Audited through the outbox, which the running gateway publishes to audit.events.v1.
    const bootstrapped = await until('the bootstrap audit event', () => audits.find((e) => e.action === 'users.bootstrap_admin'));
    expect(bootstrapped).toMatchObject({ actor: { type: 'system', id: 'bootstrap-admin' }, resource: `user:${adminId}`, outcome: 'success', details: { username: 'root-admin', roles: ['admin'] } });
    await until('the outbox emptied', async () => ((await pool.query('select count(*)::int as n from auth.audit_outbox')).rows[0].n === 0 ? true : undefined));
    const row = (await pool.query('select password_hash, roles, mfa_state from auth.users')).rows;
    expect(row).toEqual([{ password_hash: expect.stringMatching(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/), roles: ['admin'], mfa_state: 'required' }]);
  });

  it('answers an unknown user and a wrong password identically (no enumeration)', async () => {
    const unknown = await post('/v1/auth/login', { username: 'nobody-here', password: 'some wrong pass 1' });
    const wrong = await post('/v1/auth/login', { username: 'root-admin', password: 'some wrong pass 1' });
    expect(unknown.status).toBe(401);
    expect(wrong).toEqual({ ...unknown, headers: wrong.headers });
    expect(unknown.body).toEqual({ error: 'invalid_credentials', message: 'username or password is wrong' });
  });

  it('first login requires enrolment; enrolment gives an otpauth URI and QR code; the first code turns MFA on and opens a session', async () => {
    const login = keep(await post('/v1/auth/login', { username: 'root-admin', password: ADMIN_PASSWORD }));
    expect(login.status).toBe(200);
    expect(login.body).toEqual({ status: 'mfa_enrolment_required', enrolmentToken: expect.any(String), expiresIn: 300 });

    const enrol = await post('/v1/auth/mfa/enrol', { enrolmentToken: login.body.enrolmentToken });
    keep(enrol.body);
    expect(enrol.status).toBe(200);
    expect(enrol.body.otpauthUri).toMatch(/^otpauth:\/\/totp\/Vigil:root-admin\?secret=[A-Z2-7]+&issuer=Vigil&algorithm=SHA1&digits=6&period=30$/);
    expect(Buffer.from(enrol.body.qrCodeSvg.replace('data:image/svg+xml;base64,', ''), 'base64').toString()).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    seed = base32Decode(enrol.body.manualEntryKey);
    secrets.add(seed.toString('hex'), 'TOTP seed (hex)');
    secrets.add(seed.toString('base64'), 'TOTP seed (base64)');
    registerSecretForLeakScan(seed, 'auth-gateway login-flow test TOTP seed');

    // Stored encrypted, bound to the user: the raw seed is nowhere in the row.
    const stored = (await pool.query('select seed_ciphertext from auth.totp_enrolments')).rows[0].seed_ciphertext as string;
    expect(stored).toMatch(/^local:v1:/);
    expect(stored).not.toContain(enrol.body.manualEntryKey);
    expect(await new LocalSeedCipher(seedKey).decrypt(stored, `totp-seed:${adminId}`)).toEqual(seed);

    expect((await post('/v1/auth/mfa/enrol/confirm', { enrolmentToken: login.body.enrolmentToken, code: '000000' === totp(seed, Date.now()) ? '111111' : '000000' })).status).toBe(401);
    confirmCode = totp(seed, Date.now());
    const confirmed = keep(await post('/v1/auth/mfa/enrol/confirm', { enrolmentToken: login.body.enrolmentToken, code: confirmCode }));
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ tokenType: 'Bearer', accessToken: expect.any(String), refreshToken: expect.any(String), expiresIn: 600 });
    recoveryCodes = confirmed.body.recoveryCodes;
    expect(recoveryCodes).toHaveLength(10);
    const hashes = (await pool.query('select code_hash from auth.recovery_codes')).rows.map((r) => (r.code_hash as Buffer).toString('hex'));
    expect(hashes).toHaveLength(10);
    for (const code of recoveryCodes) expect(hashes.join()).not.toContain(Buffer.from(code).toString('hex'));

    // The access token verifies as every service verifies it: through the JWKS endpoint.
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: 'vault', keys: { jwksUrl: `${gateway.url}/.well-known/jwks.json` } });
    const principal = await verifier.verify(confirmed.body.accessToken);
    expect(principal).toMatchObject({ type: 'user', id: adminId, roles: ['admin'], amr: ['pwd', 'otp'] });
    expect(Math.abs(principal.authTime - Date.now() / 1000)).toBeLessThan(60);
    expect((await pool.query(`select mfa_state from auth.users where id = $1`, [adminId])).rows[0].mfa_state).toBe('enrolled');
  });

  it('refuses a TOTP code whose time step was already used, accepts a recovery code once', async () => {
    const login = keep(await post('/v1/auth/login', { username: 'root-admin', password: ADMIN_PASSWORD }));
    expect(login.body.status).toBe('mfa_required');
    // The code that confirmed enrolment, replayed within its window.
    const replay = await post('/v1/auth/mfa/verify', { mfaToken: login.body.mfaToken, code: confirmCode });
    expect(replay.status).toBe(401);
    expect(replay.body).toEqual({ error: 'invalid_code', message: 'the code is wrong, expired or already used' });

    const viaRecovery = keep(await post('/v1/auth/mfa/verify', { mfaToken: login.body.mfaToken, recoveryCode: recoveryCodes[0].toLowerCase() }));
    expect(viaRecovery.status).toBe(200);
    // The challenge is spent, and so is the recovery code.
    expect((await post('/v1/auth/mfa/verify', { mfaToken: login.body.mfaToken, recoveryCode: recoveryCodes[1] })).body.error).toBe('invalid_challenge');
    const again = keep(await post('/v1/auth/login', { username: 'root-admin', password: ADMIN_PASSWORD }));
    expect((await post('/v1/auth/mfa/verify', { mfaToken: again.body.mfaToken, recoveryCode: recoveryCodes[0] })).status).toBe(401);
  });

  it('rotates refresh tokens; a reused one revokes the whole family and raises TOKEN_REPLAY; logout ends a session at once', async () => {
    const session = await openSessionWithRecoveryCode(2);
    const first = keep(await post('/v1/auth/refresh', { refreshToken: session.refreshToken }));
    expect(first.status).toBe(200);
    expect(first.body.refreshToken).not.toEqual(session.refreshToken);
    const second = keep(await post('/v1/auth/refresh', { refreshToken: first.body.refreshToken }));
    expect(second.status).toBe(200);

    // An attacker replays the first (already rotated) token.
    const replay = await post('/v1/auth/refresh', { refreshToken: session.refreshToken });
    expect(replay.status).toBe(401);
    expect(replay.body.error).toBe('invalid_grant');
    // The family is gone: the newest token of the legitimate holder no longer works either.
    expect((await post('/v1/auth/refresh', { refreshToken: second.body.refreshToken })).status).toBe(401);
    const incident = await until('a TOKEN_REPLAY incident', () => incidents.find((i) => i.type === 'TOKEN_REPLAY'));
    expect(incident).toMatchObject({ severity: 'CRITICAL', subject: `user:${adminId}` });

    const other = await openSessionWithRecoveryCode(3);
    expect((await post('/v1/auth/logout', { refreshToken: other.refreshToken })).status).toBe(204);
    expect((await post('/v1/auth/refresh', { refreshToken: other.refreshToken })).status).toBe(401);
  });

  it('key rotation needs a fresh MFA check (step-up); after it the old token still verifies and the JWKS has both keys', async () => {
    const session = await openSessionWithRecoveryCode(4);
    // A token whose MFA check is 10 minutes old, signed with the gateway's own active key.
    const stale = await issueToken(await activeKey(), {
      issuer: ISSUER,
      audience: ['auth-gateway', 'vault'],
      subject: adminId,
      principalType: 'user',
      roles: ['admin'],
      authTime: Math.floor(Date.now() / 1000) - 600,
      amr: ['pwd', 'otp'],
      ttlSec: 300,
      sessionId: sidOf(session.accessToken),
    });
    secrets.add(stale, 'stale access token');
    const bypass = await post('/v1/admin/signing-keys/rotate', {}, { authorization: `Bearer ${stale}` });
    expect(bypass.status).toBe(401);
    expect(bypass.body).toMatchObject({ error: 'step_up_required', permission: 'keys:rotate', maxAgeSec: 300 });
    expect(bypass.headers.get('www-authenticate')).toContain('insufficient_user_authentication');

    // Step-up without a token, or with a wrong code, gives nothing.
    expect((await post('/v1/auth/step-up', { code: totp(seed, Date.now() + 30_000) })).status).toBe(401);
    const before = (await fetch(`${gateway.url}/.well-known/jwks.json`).then((r) => r.json())) as { keys: JWK[] };
    const stepUpCode = totp(seed, Date.now() + 30_000);
    const stepped = keep(await post('/v1/auth/step-up', { code: stepUpCode }, { authorization: `Bearer ${stale}` }));
    expect(stepped.status).toBe(200);
    steppedToken = stepped.body.accessToken;
    const rotated = await post('/v1/admin/signing-keys/rotate', {}, { authorization: `Bearer ${stepped.body.accessToken}` });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toEqual({ kid: expect.any(String), previousKid: before.keys[0].kid });

    const after = (await fetch(`${gateway.url}/.well-known/jwks.json`).then((r) => r.json())) as { keys: JWK[] };
    expect(after.keys.map((k) => k.kid)).toEqual([rotated.body.kid, before.keys[0].kid]);
    for (const key of after.keys) expect(key).not.toHaveProperty('d');
    // Signed before the rotation, still good: nobody is logged out.
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: 'vault', keys: { jwksUrl: `${gateway.url}/.well-known/jwks.json` } });
    await expect(verifier.verify(session.accessToken)).resolves.toMatchObject({ id: adminId });
    // The step-up check's code cannot be replayed for another step-up.
    expect((await post('/v1/auth/step-up', { code: stepUpCode }, { authorization: `Bearer ${stale}` })).status).toBe(401);
  });

  it('exchanges a service account client id and secret for a short token with its roles', async () => {
    await new AuthStore(pool).createServiceAccount({ clientId: 'svc-vault', secretHash: await new PasswordHasher().hash(CLIENT_SECRET), roles: ['svc-vault'] });
    const ok = keep(await post('/v1/auth/token', { grant_type: 'client_credentials', client_id: 'svc-vault', client_secret: CLIENT_SECRET }));
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ tokenType: 'Bearer', expiresIn: 300 });
    const verifier = createTokenVerifier({ issuer: ISSUER, audience: 'vault', keys: { jwksUrl: `${gateway.url}/.well-known/jwks.json` } });
    expect(await verifier.verify(ok.body.accessToken)).toMatchObject({ type: 'service', id: 'svc-vault', roles: ['svc-vault'] });
    const basic = Buffer.from(`svc-vault:${CLIENT_SECRET}`).toString('base64');
    secrets.add(basic, 'client credentials basic header');
    expect((await post('/v1/auth/token', { grant_type: 'client_credentials' }, { authorization: `Basic ${basic}` })).status).toBe(200);
    expect((await post('/v1/auth/token', { grant_type: 'client_credentials', client_id: 'svc-vault', client_secret: 'wrong-secret' })).body.error).toBe('invalid_client');
    expect((await post('/v1/auth/token', { grant_type: 'client_credentials', client_id: 'svc-nobody', client_secret: 'wrong-secret' })).body.error).toBe('invalid_client');
  });

  it('locks an account after 5 failed logins and refuses all of 101 failed logins in an hour, the right password too, raising BRUTE_FORCE', async () => {
    await new AuthStore(pool).createUser({ id: '00000000-0000-4000-8000-0000000000b0', username: 'bob', passwordHash: await new PasswordHasher().hash(BOB_PASSWORD), roles: ['sre'] });
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++) statuses.push((await post('/v1/auth/login', { username: 'bob', password: `wrong guess ${i}` })).status);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(new Set(statuses.slice(5))).toEqual(new Set([429]));
    const right = await post('/v1/auth/login', { username: 'bob', password: BOB_PASSWORD });
    expect(right.status).toBe(429);
    expect(right.body).toMatchObject({ error: 'too_many_attempts' });
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(800);
    const incident = await until('a BRUTE_FORCE incident', () => incidents.find((i) => i.type === 'BRUTE_FORCE' && i.subject === 'account:user:bob'));
    expect(incident.evidence).toMatchObject({ failures: 5, lockSeconds: 900, lockNumber: 1 });
    // Only 5 passwords were ever checked; the rest were refused while locked, each audited.
    await until('the denied logins audited', () => (audits.filter((e) => e.action === 'auth.login' && e.actor.id === 'bob' && e.outcome === 'denied').length >= 96 ? true : undefined));
    expect(audits.filter((e) => e.action === 'auth.login' && e.actor.id === 'bob' && e.outcome === 'failure')).toHaveLength(5);
  });

  it('admin API: users, roles, unlock, session revocation and disable, each behind its permission and step-up', async () => {
    const as = (token: string) => ({ authorization: `Bearer ${token}` });
    const call = async (method: string, pathname: string, token: string, body?: unknown) => {
      const res = await fetch(`${gateway.url}${pathname}`, { method, headers: { 'content-type': 'application/json', ...as(token) }, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: (await res.text().then((t) => (t ? JSON.parse(t) : undefined))) as Record<string, unknown> };
    };
    const bob = '00000000-0000-4000-8000-0000000000b0';
    const sreToken = await issueToken(await activeKey(), { issuer: ISSUER, audience: 'auth-gateway', subject: bob, principalType: 'user', roles: ['sre'], authTime: Math.floor(Date.now() / 1000), amr: ['pwd', 'otp'], ttlSec: 60, sessionId: await liveSession(bob) });
    const staleAdmin = await issueToken(await activeKey(), { issuer: ISSUER, audience: 'auth-gateway', subject: adminId, principalType: 'user', roles: ['admin'], authTime: Math.floor(Date.now() / 1000) - 600, amr: ['pwd', 'otp'], ttlSec: 60, sessionId: await liveSession(adminId) });
    secrets.add(sreToken, 'sre access token');
    secrets.add(staleAdmin, 'stale admin access token');

    expect((await call('GET', '/v1/admin/users', sreToken)).status).toBe(403);
    const listed = await call('GET', '/v1/admin/users', staleAdmin);
    expect(listed.status).toBe(200);
    expect((listed.body.users as Array<{ username: string }>).map((u) => u.username)).toEqual(['bob', 'root-admin']);
    expect(JSON.stringify(listed.body)).not.toContain('argon2');

    const carolPassword = `c-pass ${randomBytes(6).toString('hex')}`;
    secrets.add(carolPassword, 'carol password');
    // Writing users is sensitive: a 10-minute-old MFA check is not enough.
    expect((await call('POST', '/v1/admin/users', staleAdmin, { username: 'carol', password: carolPassword, roles: ['auditor'] })).status).toBe(401);
    expect((await call('POST', '/v1/admin/users', steppedToken, { username: 'carol', password: 'password', roles: ['auditor'] })).body.message).toMatch(/common or breached/);
    expect((await call('POST', '/v1/admin/users', steppedToken, { username: 'carol', password: carolPassword, roles: ['nope'] })).body.message).toMatch(/roles: unknown "nope"/);
    const carol = await call('POST', '/v1/admin/users', steppedToken, { username: 'carol', password: carolPassword, roles: ['auditor'] });
    expect(carol).toEqual({ status: 201, body: { id: expect.any(String), username: 'carol', roles: ['auditor'], mfaState: 'required' } });
    expect((await call('PUT', `/v1/admin/users/${carol.body.id}/roles`, steppedToken, { roles: ['auditor', 'sre'] })).body).toEqual({ id: carol.body.id, roles: ['auditor', 'sre'] });
    expect((await post('/v1/auth/login', { username: 'carol', password: carolPassword })).body.status).toBe('mfa_enrolment_required');

    // Bob was locked by the 101 attempts; unlocking lets the right password in.
    expect((await call('POST', `/v1/admin/users/${bob}/unlock`, steppedToken)).status).toBe(200);
    expect((await post('/v1/auth/login', { username: 'bob', password: BOB_PASSWORD })).body.status).toBe('mfa_enrolment_required');

    // A disabled user cannot log in, and gets the same answer as a wrong password.
    expect((await call('POST', `/v1/admin/users/${carol.body.id}/disable`, steppedToken)).body).toMatchObject({ disabled: true });
    const disabled = await post('/v1/auth/login', { username: 'carol', password: carolPassword });
    expect({ status: disabled.status, body: disabled.body }).toEqual({ status: 401, body: { error: 'invalid_credentials', message: 'username or password is wrong' } });
    // A service account: the secret is answered once, works for client credentials, and user roles are refused.
    expect((await call('POST', '/v1/admin/service-accounts', steppedToken, { clientId: 'svc-alerter', roles: ['admin'] })).status).toBe(400);
    const account = await call('POST', '/v1/admin/service-accounts', steppedToken, { clientId: 'svc-alerter', roles: ['svc-alerter'] });
    expect(account).toEqual({ status: 201, body: { clientId: 'svc-alerter', clientSecret: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/), roles: ['svc-alerter'] } });
    secrets.add(account.body.clientSecret as string, 'service account client secret');
    expect((await post('/v1/auth/token', { grant_type: 'client_credentials', client_id: 'svc-alerter', client_secret: account.body.clientSecret })).status).toBe(200);
    expect((await call('POST', '/v1/admin/service-accounts', steppedToken, { clientId: 'svc-alerter', roles: ['svc-alerter'] })).status).toBe(409);

    // Revoking the admin's sessions ends them at once: their refresh tokens stop working.
    const session = await openSessionWithRecoveryCode(5);
    const revoked = await call('POST', `/v1/admin/users/${adminId}/sessions/revoke`, steppedToken);
    expect(revoked.status).toBe(200);
    expect(revoked.body.sessionsRevoked).toBeGreaterThanOrEqual(1);
    expect((await post('/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    // ...and their access tokens too, before they expire: the admin's own token is refused now.
    expect(await call('GET', '/v1/admin/users', steppedToken)).toMatchObject({ status: 401, body: { code: 'SESSION_REVOKED' } });

    for (const action of ['users.create', 'users.roles.set', 'users.unlock', 'sessions.revoke', 'users.disable', 'service_accounts.create']) {
      await until(`an audited ${action}`, () => audits.find((e) => e.action === action && e.actor.id === adminId));
    }
  });

  it('locks MFA after 5 wrong codes and raises MFA_FAILURE_BURST', async () => {
    const login = keep(await post('/v1/auth/login', { username: 'root-admin', password: ADMIN_PASSWORD }));
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await post('/v1/auth/mfa/verify', { mfaToken: login.body.mfaToken, code: String(100000 + i) })).status);
    // The replayed step-up code before counts too: the lock comes within 5 failures in 15 minutes.
    const firstLocked = statuses.indexOf(429);
    expect(firstLocked).toBeGreaterThan(0);
    expect(statuses.slice(0, firstLocked).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(firstLocked).every((s) => s === 429)).toBe(true);
    const incident = await until('an MFA_FAILURE_BURST incident', () => incidents.find((i) => i.type === 'MFA_FAILURE_BURST' && i.subject === `account:user:${adminId}`));
    expect(incident.evidence).toMatchObject({ failures: 5, lockSeconds: 900 });
  });

  it('audits logins, MFA checks, token issues, refreshes, logouts, authorization decisions and key rotation on audit.events.v1', async () => {
    const actions = await until('the audit events', () => {
      const seen = new Set(audits.map((e) => `${e.action}:${e.outcome}`));
      const wanted = [
        'auth.login:success',
        'auth.login:failure',
        'auth.login:denied',
        'auth.mfa.enrol.start:success',
        'auth.mfa.enrol.confirm:success',
        'auth.mfa.enrol.confirm:failure',
        'auth.mfa.verify:success',
        'auth.mfa.verify:failure',
        'auth.token.issue:success',
        'auth.token.refresh:success',
        'auth.token.refresh:failure',
        'auth.logout:success',
        'auth.step_up:success',
        'authz.decision:allowed',
        'authz.decision:denied',
        'keys.rotate:success',
        'auth.client_credentials:success',
        'auth.client_credentials:failure',
      ];
      return wanted.every((w) => seen.has(w)) ? seen : undefined;
    });
    expect(actions.size).toBeGreaterThanOrEqual(18);
    expect(audits.every((e) => e.service === 'auth-gateway')).toBe(true);
  });

  it('leaves no password, token, TOTP seed, recovery code or client secret in its logs or events', async () => {
    expect(logLines.length).toBeGreaterThan(10);
    const haystacks = { logs: logLines.join('\n'), events: rawEvents.join('\n') };
    const found: string[] = [];
    for (const [where, text] of Object.entries(haystacks)) {
      for (const secret of secrets) if (secret.length >= 8 && text.includes(secret)) found.push(`${where}: a secret of ${secret.length} characters`);
    }
    expect(found).toEqual([]);
  });
});

async function openSessionWithRecoveryCode(index: number): Promise<{ accessToken: string; refreshToken: string }> {
  const login = keep(await post('/v1/auth/login', { username: 'root-admin', password: ADMIN_PASSWORD }));
  const verified = keep(await post('/v1/auth/mfa/verify', { mfaToken: login.body.mfaToken, recoveryCode: recoveryCodes[index] }));
  expect(verified.status).toBe(200);
  return verified.body;
}

/** The session id (sid) an access token names. */
function sidOf(accessToken: string): string {
  return JSON.parse(Buffer.from(accessToken.split('.')[1], 'base64url').toString('utf8')).sid as string;
}

const liveSession = (userId: string) => liveSessionRow(pool, userId, randomUUID());
const activeKey = () => activeSigningKey(pool, seedKey);

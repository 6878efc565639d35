import { issueToken, RbacPolicy } from '@vigil/auth';
import { loadConfig } from '@vigil/config';
import { auditEventsContract, type AuditEvent } from '@vigil/contracts';
import { createConsumerRunner, silentLogger, type ConsumerRunner } from '@vigil/kafka';
import { createLogger } from '@vigil/observability';
import { readinessOnceReady, startService, type RunningService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, LeakScanSecrets, registerSecretForLeakScan, serviceEnv, testPrefix, type ThrowawayDatabase } from '@vigil/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { Pool } from 'pg';
import { AppModule } from '../app.module';
import { authGatewayConfig } from '../auth-gateway.config';
import { base32Decode } from '../mfa/base32';
import { totp } from '../mfa/totp';
import { bootstrapAdmin } from '../users/bootstrap-admin';
import { activeSigningKey, liveSession, until } from '../test-support/gateway-test-kit';
import { PROXY_ROUTES } from './proxy-routes';

// The gateway's proxy against real Postgres, Redis and Kafka, in front of a small HTTP service
// standing in for the upstreams (it answers what it received). The proxy is what is tested.

const ISSUER = 'vigil-auth-gateway';
const policy = RbacPolicy.load();
const ADMIN_PASSWORD = `proxy admin ${randomBytes(6).toString('hex')}`;

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  bodyBytes: number;
}

let db: ThrowawayDatabase;
let pool: Pool;
let gateway: RunningService;
let upstream: Server;
let consumer: ConsumerRunner<AuditEvent>;
let seedKey: Buffer;
const received: Received[] = [];
const audits: AuditEvent[] = [];
const logLines: string[] = [];
/** Every token and password the test used: none may appear in a log line or an audit event. */
const secrets = new LeakScanSecrets('auth-gateway proxy test');

function startUpstream(): Promise<Server> {
  const server = createServer((req, res) => {
    if (req.url?.includes('slow=1')) return void setTimeout(() => res.end('late'), 3_000);
    if (req.url?.includes('stream=1')) {
      // Answers as soon as the first chunk of the body arrives, then echoes the rest as it comes.
      req.once('data', (first: Buffer) => {
        res.writeHead(200, { 'content-type': 'application/octet-stream' });
        res.write(`first:${first.length};`);
        req.on('data', (chunk: Buffer) => res.write(`chunk:${chunk.length};`));
        req.on('end', () => res.end('end'));
      });
      return;
    }
    let bodyBytes = 0;
    req.on('data', (chunk: Buffer) => (bodyBytes += chunk.length));
    req.on('end', () => {
      const entry = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bodyBytes };
      received.push(entry);
      res.writeHead(200, { 'content-type': 'application/json', 'x-upstream': 'echo' });
      res.end(JSON.stringify(entry));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const activeKey = () => activeSigningKey(pool, seedKey);

/** A user with one role and a live session, and an access token of it with a fresh MFA check. */
async function userToken(role: string): Promise<string> {
  const userId = randomUUID();
  const sessionId = randomUUID();
  await pool.query(`insert into auth.users (id, username, password_hash, roles, mfa_state) values ($1, $2, 'x', $3, 'enrolled')`, [userId, `u-${userId.slice(0, 8)}`, [role]]);
  await liveSession(pool, userId, sessionId);
  const token = await issueToken(await activeKey(), { issuer: ISSUER, audience: ['auth-gateway', 'vault'], subject: userId, principalType: 'user', roles: [role], authTime: Math.floor(Date.now() / 1000), amr: ['pwd', 'otp'], ttlSec: 300, sessionId });
  secrets.add(token, 'user access token');
  return token;
}

async function serviceToken(role: string): Promise<string> {
  return issueToken(await activeKey(), { issuer: ISSUER, audience: ['auth-gateway', 'vault'], subject: `client-${role}`, principalType: 'service', roles: [role], authTime: Math.floor(Date.now() / 1000), amr: ['pwd'], ttlSec: 300 });
}

/** A concrete path for a route pattern. */
const concrete = (pattern: string) => pattern.replace(/:\w+/g, 'x1').replace(/\*\w+/g, 'a/b');

async function call(method: string, pathname: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  if (token) secrets.add(token, 'bearer token');
  const res = await fetch(`${gateway.url}${pathname}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: Record<string, unknown> | undefined;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = { text };
  }
  return { status: res.status, body: parsed as Record<string, any>, headers: res.headers };
}

beforeAll(async () => {
  db = await createThrowawayDatabase();
  pool = new Pool({ connectionString: db.url, max: 2 });
  const prefix = testPrefix();
  seedKey = registerSecretForLeakScan(randomBytes(32), 'auth-gateway seed key');
  const keyFile = path.join(mkdtempSync(path.join(tmpdir(), 'gw-proxy-')), 'seed.key');
  writeFileSync(keyFile, seedKey.toString('base64'), { mode: 0o600 });
  upstream = await startUpstream();
  const up = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const config = loadConfig(authGatewayConfig, {
    ...process.env,
    ...serviceEnv(infraEnv(), prefix),
    VIGIL_DATABASE_URL: db.url,
    VIGIL_HTTP_PORT: '0',
    VIGIL_LOG_LEVEL: 'debug',
    VIGIL_AUTH_SEED_KEY_FILE: keyFile,
    VIGIL_UPSTREAM_VAULT_URL: up,
    VIGIL_UPSTREAM_ALERTER_URL: up,
    VIGIL_UPSTREAM_COMPLIANCE_DETECTOR_URL: up,
    VIGIL_UPSTREAM_AUDIT_WRITER_URL: `http://127.0.0.1:${await deadPort()}`,
    VIGIL_PROXY_TIMEOUT: '500ms',
    VIGIL_AUTH_LOCK_THRESHOLD: '1000',
    VIGIL_AUTH_IP_LOCK_THRESHOLD: '1000',
    // Per principal tight enough to test; every other limit out of the way of the matrix.
    VIGIL_RATE_PROXY_PRINCIPAL_PER_SEC: '5',
    VIGIL_RATE_PROXY_PRINCIPAL_BURST: '60',
    VIGIL_RATE_PROXY_IP_PER_SEC: '100000',
    VIGIL_RATE_PROXY_IP_BURST: '100000',
    VIGIL_RATE_LOGIN_IP_PER_SEC: '100000',
    VIGIL_RATE_LOGIN_IP_BURST: '100000',
    VIGIL_RATE_LOGIN_ACCOUNT_PER_SEC: '1',
    VIGIL_RATE_LOGIN_ACCOUNT_BURST: '10',
  });
  const capture = new Writable({ write: (chunk, _enc, done) => (logLines.push(String(chunk)), done()) });
  gateway = await startService({ name: 'auth-gateway', module: AppModule, config, logger: createLogger('auth-gateway', 'debug', capture) });
  expect((await readinessOnceReady(gateway)).status).toBe(200);
  await fetch(`${gateway.url}/.well-known/jwks.json`); // makes the first signing key
  // The first admin, before the test makes users of its own.
  expect(await bootstrapAdmin(pool, 'proxy-admin', ADMIN_PASSWORD)).toMatchObject({ created: true });
  const infra = infraEnv();
  consumer = createConsumerRunner<AuditEvent>({
    brokers: infra.kafkaBrokers,
    clientId: 'auth-gateway-proxy-test',
    topicPrefix: prefix,
    registryUrl: infra.registryUrl,
    groupId: `${prefix}reader`,
    contracts: [auditEventsContract] as never,
    logger: silentLogger,
    lagIntervalMs: 0,
    handler: async (messages) => {
      for (const m of messages) audits.push(m.value);
    },
  });
  void consumer.start();
});

afterAll(async () => {
  await consumer?.stop();
  if (gateway) await gateway.stop('test');
  await new Promise((resolve) => upstream?.close(resolve));
  await pool?.end();
  await db?.drop();
});

describe('auth-gateway proxy /api/<service>/...', () => {
  it('every role x every proxied route: forwarded exactly where the policy allows, 403 elsewhere, each decision audited', async () => {
    const expectations: Array<{ requestId: string; role: string; route: string; allowed: boolean }> = [];
    const mismatches: string[] = [];
    for (const role of policy.roleNames) {
      const isService = role.startsWith('svc-') || role === 'order-publisher';
      const token = isService ? await serviceToken(role) : await userToken(role);
      for (const route of PROXY_ROUTES) {
        const requestId = `matrix-${randomUUID()}`;
        // A one-hour silence: within the policy's 4 hours, so only the permission decides.
        const body = route.bodyContext ? { matchers: [], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + 3_600_000).toISOString() } : undefined;
        const context = route.bodyContext ? route.bodyContext(body) : {};
        const allowed = policy.authorize({ roles: [role], amr: isService ? ['pwd'] : ['pwd', 'otp'], authTime: Math.floor(Date.now() / 1000) }, route.permission, context).allowed;
        const before = received.length;
        const res = await call(route.method, `/api/${route.service}${concrete(route.pattern)}`, token, body, { 'x-request-id': requestId });
        const forwarded = received.length > before;
        // The dead audit-writer upstream answers 502 once the edge allowed it.
        const expectedStatus = allowed ? (route.service === 'audit-writer' ? 502 : 200) : 403;
        if (res.status !== expectedStatus || forwarded !== (allowed && route.service !== 'audit-writer')) {
          mismatches.push(`${role} ${route.method} ${route.pattern}: ${res.status} (expected ${expectedStatus}), forwarded ${forwarded}`);
        }
        expectations.push({ requestId, role, route: `${route.method} ${route.pattern}`, allowed });
      }
    }
    expect(mismatches).toEqual([]);
    // Spot checks that do not lean on the policy code: what the README's role table says.
    const at = (role: string, route: string) => expectations.find((e) => e.role === role && e.route === route)?.allowed;
    expect(at('sre', 'GET /v1/secrets/data/*path')).toBe(false);
    expect(at('admin', 'GET /v1/secrets/data/*path')).toBe(true);
    expect(at('auditor', 'GET /v1/logs/:logId/export')).toBe(true);
    expect(at('compliance-officer', 'POST /api/silences')).toBe(true);
    expect(at('svc-auth-gateway', 'POST /v1/transit/encrypt/:name')).toBe(true);
    expect(at('admin', 'POST /v1/transit/encrypt/:name')).toBe(false);

    const byTrace = await until('every decision audited', () => {
      const map = new Map(audits.filter((e) => e.action === 'authz.decision' && e.traceId?.startsWith('matrix-')).map((e) => [e.traceId, e]));
      return map.size >= expectations.length ? map : undefined;
    });
    for (const e of expectations) {
      expect(byTrace.get(e.requestId)).toMatchObject({ service: 'auth-gateway', outcome: e.allowed ? 'allowed' : 'denied', actor: { roles: [e.role] } });
    }
  });

  it('forwards the Authorization header and request id, strips hop-by-hop headers, keeps the query', async () => {
    const token = await userToken('admin');
    // node:http, not fetch: fetch will not send a Connection header.
    const { port } = new URL(gateway.url);
    const res = await new Promise<{ status: number; body: Record<string, any>; headers: Headers }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          path: '/api/vault/v1/secrets/data/db/password?version=2',
          headers: {
            authorization: `Bearer ${token}`,
            'x-request-id': 'req-hop-1',
            connection: 'keep-alive, x-private-hop',
            'x-private-hop': 'secret-to-this-hop',
            'proxy-authorization': 'Basic Zm9vOmJhcg==',
            'x-forwarded-for': '203.0.113.9',
          },
        },
        (answer) => {
          let text = '';
          answer.setEncoding('utf8');
          answer.on('data', (chunk: string) => (text += chunk));
          answer.on('end', () => resolve({ status: answer.statusCode ?? 0, body: JSON.parse(text), headers: new Headers(answer.headers as Record<string, string>) }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('req-hop-1');
    expect(res.headers.get('x-upstream')).toBe('echo');
    expect(res.body).toMatchObject({ method: 'GET', url: '/v1/secrets/data/db/password?version=2' });
    const headers = res.body.headers as IncomingHttpHeaders;
    expect(headers.authorization).toBe(`Bearer ${token}`);
    expect(headers['x-request-id']).toBe('req-hop-1');
    expect(headers['x-forwarded-for']).toBe('203.0.113.9, 127.0.0.1');
    expect(headers).not.toHaveProperty('x-private-hop');
    expect(headers).not.toHaveProperty('proxy-authorization');
    // A request without an id gets one, the same at the edge and upstream.
    const fresh = await call('GET', '/api/vault/v1/secrets/data/x', token);
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    expect((fresh.body.headers as IncomingHttpHeaders)['x-request-id']).toBe(fresh.headers.get('x-request-id'));
  });

  it('streams request and response bodies: the upstream answers before the caller has finished sending', async () => {
    const token = await userToken('admin');
    const { port } = new URL(gateway.url);
    let sent = false;
    const text = await new Promise<string>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'PUT', path: '/api/vault/v1/secrets/data/big?stream=1', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' } }, (res) => {
        let got = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          got += chunk;
          // Only once the upstream has seen the first chunk does the caller send the rest.
          if (!sent && /^first:\d+;/.test(got)) {
            sent = true;
            req.write(Buffer.alloc(1000));
            req.end(Buffer.alloc(500));
          }
        });
        res.on('end', () => resolve(got));
      });
      req.on('error', reject);
      req.write(Buffer.alloc(65536));
    });
    expect(text).toMatch(/^first:\d+;(chunk:\d+;)+end$/);
    expect([...text.matchAll(/(?:first|chunk):(\d+)/g)].reduce((sum, m) => sum + Number(m[1]), 0)).toBe(65536 + 1500);
  });

  it('answers 401 without a valid token, 404 for routes it does not forward, 502 when the service is down, 504 when it is slow', async () => {
    const token = await userToken('admin');
    const missing = await call('GET', '/api/vault/v1/secrets/data/x');
    expect(missing).toMatchObject({ status: 401, body: { error: 'unauthorized', code: 'MISSING_TOKEN' } });
    expect(missing.headers.get('www-authenticate')).toBe('Bearer realm="vigil"');
    const forged = await call('GET', '/api/vault/v1/secrets/data/x', `${token.slice(0, -4)}AAAA`);
    expect(forged).toMatchObject({ status: 401, body: { code: 'BAD_SIGNATURE' } });
    expect(await call('GET', '/api/nowhere/x', token)).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await call('POST', '/api/alerter/api/alertmanager/webhook', token, {})).toMatchObject({ status: 404, body: { error: 'not_found' } });
    expect(await call('GET', '/api/audit-writer/v1/logs', token)).toMatchObject({ status: 502, body: { error: 'upstream_unavailable', message: expect.stringContaining('audit-writer could not be reached') } });
    expect(await call('GET', '/api/alerter/api/alerts?slow=1', token)).toMatchObject({ status: 504, body: { error: 'upstream_timeout' } });
  });

  it('needs step-up at the edge for a sensitive route (a silence longer than 4 h) with a stale MFA check', async () => {
    const userId = randomUUID();
    const sessionId = randomUUID();
    await pool.query(`insert into auth.users (id, username, password_hash, roles, mfa_state) values ($1, 'stale-co', 'x', '{compliance-officer}', 'enrolled')`, [userId]);
    await liveSession(pool, userId, sessionId);
    const stale = await issueToken(await activeKey(), { issuer: ISSUER, audience: 'auth-gateway', subject: userId, principalType: 'user', roles: ['compliance-officer'], authTime: Math.floor(Date.now() / 1000) - 900, amr: ['pwd', 'otp'], ttlSec: 300, sessionId });
    const silence = (hours: number) => ({ matchers: [], startsAt: new Date().toISOString(), endsAt: new Date(Date.now() + hours * 3_600_000).toISOString() });
    const before = received.length;
    const long = await call('POST', '/api/alerter/api/silences', stale, silence(8));
    expect(long).toMatchObject({ status: 401, body: { error: 'step_up_required', permission: 'silences:write' } });
    expect(received.length).toBe(before);
    // The short one passes, with its body forwarded as sent.
    const short = await call('POST', '/api/alerter/api/silences', stale, silence(1));
    expect(short.status).toBe(200);
    expect(short.body.bodyBytes).toBe(JSON.stringify(silence(1)).length);
  });

  it('rate-limits per principal: 429 with Retry-After once the bucket is empty, counted in metrics', async () => {
    const token = await userToken('sre');
    const statuses: number[] = [];
    let retryAfter: string | null = null;
    for (let i = 0; i < 80; i++) {
      const res = await call('GET', '/api/alerter/api/alerts', token);
      statuses.push(res.status);
      if (res.status === 429) retryAfter ??= res.headers.get('retry-after');
    }
    expect(statuses.slice(0, 60).every((s) => s === 200)).toBe(true);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThan(0);
    expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    // Another principal is not affected.
    expect((await call('GET', '/api/alerter/api/alerts', await userToken('sre'))).status).toBe(200);
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(/vigil_auth_gateway_rate_limited_total\{scope="proxy_principal",service="auth-gateway"\} [1-9]/);
    expect(metrics).toMatch(/vigil_auth_gateway_proxy_requests_total\{service="alerter",outcome="rate_limited",service="auth-gateway"\}|vigil_auth_gateway_proxy_requests_total\{[^}]*outcome="rate_limited"[^}]*\} [1-9]/);
  });

  it('rate-limits logins per account before any password is checked: 429 rate_limited with Retry-After', async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof call>> | undefined;
    for (let i = 0; i < 14; i++) {
      last = await call('POST', '/v1/auth/login', undefined, { username: 'flooded', password: 'not the password 1' });
      statuses.push(last.status);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.at(-1)).toBe(429);
    expect(last?.body).toMatchObject({ error: 'rate_limited' });
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });

  it('logout and user disable end access at once: the same unexpired access token is refused at the proxy', async () => {
    const post = (p: string, body: unknown, token?: string) => call('POST', p, token, body);
    // A real login: bootstrap admin, password, TOTP enrolment.
    const password = ADMIN_PASSWORD;
    const signIn = async (username: string, pw: string) => {
      const login = await post('/v1/auth/login', { username, password: pw });
      const enrol = await post('/v1/auth/mfa/enrol', { enrolmentToken: login.body.enrolmentToken });
      const seed = base32Decode(enrol.body.manualEntryKey);
      const confirmed = await post('/v1/auth/mfa/enrol/confirm', { enrolmentToken: login.body.enrolmentToken, code: totp(seed, Date.now()) });
      expect(confirmed.status).toBe(200);
      secrets.add(confirmed.body.accessToken, `${username} access token`);
      secrets.add(confirmed.body.refreshToken, `${username} refresh token`);
      secrets.add(enrol.body.manualEntryKey, `${username} TOTP seed (base32)`);
      registerSecretForLeakScan(seed, `auth-gateway proxy test ${username} TOTP seed`);
      return confirmed.body as { accessToken: string; refreshToken: string };
    };
    secrets.add(password, 'admin password');
    const admin = await signIn('proxy-admin', password);
    const bobPassword = `proxy bob ${randomBytes(6).toString('hex')}`;
    secrets.add(bobPassword, 'bob password');
    const bob = await post('/v1/admin/users', { username: 'proxy-bob', password: bobPassword, roles: ['auditor'] }, admin.accessToken);
    expect(bob.status).toBe(201);
    const bobTokens = await signIn('proxy-bob', bobPassword);

    expect((await call('GET', '/api/alerter/api/alerts', bobTokens.accessToken)).status).toBe(200);
    expect((await post(`/v1/admin/users/${bob.body.id}/disable`, {}, admin.accessToken)).status).toBe(200);
    expect(await call('GET', '/api/alerter/api/alerts', bobTokens.accessToken)).toMatchObject({ status: 401, body: { code: 'SESSION_REVOKED' } });

    expect((await call('GET', '/api/vault/v1/secrets/data/x', admin.accessToken)).status).toBe(200);
    expect((await post('/v1/auth/logout', { refreshToken: admin.refreshToken })).status).toBe(204);
    expect(await call('GET', '/api/vault/v1/secrets/data/x', admin.accessToken)).toMatchObject({ status: 401, body: { code: 'SESSION_REVOKED' } });
    // Also at the gateway's own routes.
    expect(await call('GET', '/v1/admin/users', admin.accessToken)).toMatchObject({ status: 401, body: { code: 'SESSION_REVOKED' } });
    // Even if Redis lost the mark, Postgres says the session ended (checked at most every 5 s per session).
    const sid = JSON.parse(Buffer.from(admin.accessToken.split('.')[1], 'base64url').toString()).sid as string;
    expect((await pool.query(`select revoked_reason from auth.sessions where id = $1`, [sid])).rows[0].revoked_reason).toBe('logout');
  });

  it('logs one line per proxied request, and no token, password or seed in any log line or audit event', async () => {
    expect(logLines.some((line) => line.includes('"msg":"proxied request"') && line.includes('"path":"/api/vault/v1/secrets/data/db/password"'))).toBe(true);
    // The query string is not logged (it may carry a code or token).
    expect(logLines.some((line) => line.includes('version=2'))).toBe(false);
    const haystacks = [logLines.join(''), JSON.stringify(audits)];
    const found = [...secrets].filter((secret) => secret.length >= 8 && haystacks.some((text) => text.includes(secret)));
    expect(secrets.size).toBeGreaterThan(20);
    expect(found.map((s) => `a secret of ${s.length} characters`)).toEqual([]);
  });
});

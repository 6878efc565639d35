import { Body, Controller, Get, INestApplication, Param, Post, Put } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { auditEventsContract, type AuditEvent } from '@vigil/contracts';
import request from 'supertest';
import { RbacPolicy } from '../rbac/rbac-policy';
import { AuthError } from '../token/auth-error';
import type { Principal } from '../token/principal.type';
import { generateSigningKey, issueToken, type AccessTokenClaims, type SigningKey } from '../token/token-issuer';
import type { TokenVerifier } from '../token/token-verifier';
import type { AuditSink } from './audit-sink';
import { AuthModule } from './auth.module';
import type { AuthModuleOptions } from './auth-module.options';
import { CurrentPrincipal } from './current-principal.decorator';
import { RequirePermission } from './require-permission.decorator';

// The guard through HTTP: a small Nest app whose routes need permissions of the shipped
// policy, real tokens signed with a throwaway key, and a recording AuditSink.
const ISSUER = 'https://auth.vigil.test';
const AUDIENCE = 'vault';
const handled: string[] = [];

@Controller()
class TestController {
  @Get('alerts')
  @RequirePermission('alerts:read')
  listAlerts() {
    handled.push('alerts:read');
    return { alerts: [] };
  }

  @Put('secrets/:name')
  @RequirePermission('secrets:write', { resource: (req) => `secret:${req.params['name']}` })
  writeSecret(@Param('name') name: string) {
    handled.push(`secrets:write ${name}`);
    return { written: name };
  }

  @Post('silences')
  @RequirePermission('silences:write', { context: (req) => ({ durationSec: Number(req.body?.durationSec) }) })
  silence(@Body() body: { durationSec: number }) {
    handled.push(`silences:write ${body.durationSec}`);
    return { ok: true };
  }

  @Post('orders')
  @RequirePermission('orders:publish')
  publish() {
    handled.push('orders:publish');
    return { ok: true };
  }

  @Get('whoami')
  @RequirePermission('metrics:read')
  whoami(@CurrentPrincipal() principal: Principal) {
    return principal;
  }

  @Get('public')
  open() {
    return { open: true };
  }
}

class RecordingSink implements AuditSink {
  events: AuditEvent[] = [];
  failure: 'none' | 'throw' | 'reject' = 'none';

  record(event: AuditEvent): Promise<void> | void {
    if (this.failure === 'throw') throw new Error('broker down');
    if (this.failure === 'reject') return Promise.reject(new Error('not acknowledged'));
    this.events.push(event);
  }
}

/** A verifier that only answers with the given error (the signing keys cannot be fetched). */
const unavailableVerifier: TokenVerifier = { verify: () => Promise.reject(new AuthError('KEYS_UNAVAILABLE', 'GET https://auth/jwks: ECONNREFUSED')) };

/** The token's claims under an `alg: none` header, signature dropped. */
function unsigned(token: string): string {
  const header = Buffer.from(JSON.stringify({ alg: 'none', kid: 'k1', typ: 'at+jwt' })).toString('base64url');
  return `${header}.${token.split('.')[1]}.`;
}

async function appWith(sink: AuditSink, verifier: AuthModuleOptions['verifier']): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [AuthModule.forRoot({ service: 'vault', verifier, auditSink: sink })],
    controllers: [TestController],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

describe('PermissionGuard over HTTP', () => {
  const sink = new RecordingSink();
  const policy = RbacPolicy.load();
  let key: SigningKey;
  let app: INestApplication;

  const nowSec = () => Math.floor(Date.now() / 1000);
  const token = (overrides: Partial<AccessTokenClaims> = {}) =>
    issueToken(key, { issuer: ISSUER, audience: AUDIENCE, subject: 'alice', principalType: 'user', roles: ['admin'], authTime: nowSec() - 30, amr: ['pwd', 'otp'], ttlSec: 300, jti: 'tok-42', ...overrides });
  const http = () => request(app.getHttpServer());
  const lastEvent = () => sink.events[sink.events.length - 1];

  beforeAll(async () => {
    key = await generateSigningKey('k1');
    app = await appWith(sink, { issuer: ISSUER, audience: AUDIENCE, keys: { jwks: { keys: [key.publicJwk] } } });
  });

  afterAll(() => app.close());

  beforeEach(() => {
    sink.events = [];
    sink.failure = 'none';
    handled.length = 0;
  });

  afterEach(() => {
    // Every decision recorded is a valid audit.events.v1 event (no token, no secret in it).
    for (const event of sink.events) expect(auditEventsContract.parse(event)).toEqual(event);
  });

  it('allows a granted permission, runs the handler, hands it the principal, and audits "allowed"', async () => {
    const res = await http().get('/whoami').set('Authorization', `Bearer ${await token({ roles: ['sre'] })}`).set('X-Request-Id', 'req-7').expect(200);
    expect(res.body).toMatchObject({ type: 'user', id: 'alice', roles: ['sre'], tokenId: 'tok-42' });
    expect(sink.events).toHaveLength(1);
    expect(lastEvent()).toMatchObject({
      service: 'vault',
      action: 'authz.decision',
      outcome: 'allowed',
      resource: 'route:GET /whoami',
      actor: { type: 'user', id: 'alice', roles: ['sre'] },
      reason: 'allowed by sre: allow metrics:read',
      traceId: 'req-7',
      details: { permission: 'metrics:read', policyVersion: 1, tokenId: 'tok-42', matchedRule: { effect: 'allow', pattern: 'metrics:read', definedIn: 'sre', via: 'sre' } },
    });
    expect(lastEvent().actor.ip).toMatch(/127\.0\.0\.1|::1/);
  });

  it('answers 403 for a role that is not granted, without running the handler, and audits "denied"', async () => {
    const res = await http().get('/alerts').set('Authorization', `Bearer ${await token({ roles: ['order-publisher'] })}`).expect(403);
    expect(res.body).toEqual({ error: 'forbidden', message: 'your roles do not grant alerts:read', permission: 'alerts:read' });
    expect(handled).toEqual([]);
    expect(lastEvent()).toMatchObject({ outcome: 'denied', reason: 'no role grants alerts:read', actor: { id: 'alice', roles: ['order-publisher'] } });
  });

  it('answers 403 when a deny overrides an allow', async () => {
    await http().post('/orders').set('Authorization', `Bearer ${await token({ roles: ['admin'] })}`).expect(403);
    expect(lastEvent()).toMatchObject({ outcome: 'denied', reason: 'denied by admin: deny orders:publish' });
  });

  it.each<[string, () => Promise<string | undefined>, string]>([
    ['no Authorization header', async () => undefined, 'MISSING_TOKEN'],
    ['a Basic Authorization header', async () => 'Basic YWxpY2U6cGFzc3dvcmQ=', 'MALFORMED'],
    ['an expired token', async () => `Bearer ${await token({ now: Date.now() - 3_600_000 })}`, 'TOKEN_EXPIRED'],
    ['a token for another service', async () => `Bearer ${await token({ audience: 'reporter' })}`, 'WRONG_AUDIENCE'],
    ['a token from another issuer', async () => `Bearer ${await token({ issuer: 'https://evil.example' })}`, 'WRONG_ISSUER'],
    ['an unsigned (alg none) copy of a valid token', async () => `Bearer ${unsigned(await token())}`, 'ALG_NOT_ALLOWED'],
  ])('answers 401 for %s and audits it as an anonymous denial', async (_what, header, code) => {
    const value = await header();
    const req = http().put('/secrets/db-password');
    const res = await (value === undefined ? req : req.set('Authorization', value)).expect(401);
    expect(res.body).toMatchObject({ error: 'unauthorized', code });
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="vigil"/);
    expect(handled).toEqual([]);
    expect(lastEvent()).toMatchObject({ outcome: 'denied', actor: { type: 'user', id: 'anonymous' }, resource: 'secret:db-password', details: { code, permission: 'secrets:write' } });
    expect(lastEvent().reason).toMatch(new RegExp(`^${code}: `));
    if (value) expect(JSON.stringify(sink.events)).not.toContain(value.split(' ')[1]);
  });

  describe('step-up for sensitive actions', () => {
    it('answers 401 step_up_required when the last MFA check is older than 5 minutes, and does not run the handler', async () => {
      const res = await http().put('/secrets/db-password').set('Authorization', `Bearer ${await token({ authTime: nowSec() - 301 })}`).expect(401);
      expect(res.body).toEqual({
        error: 'step_up_required',
        message: expect.stringContaining('verify a one-time code (MFA)'),
        permission: 'secrets:write',
        maxAgeSec: 300,
      });
      expect(res.headers['www-authenticate']).toBe('Bearer error="insufficient_user_authentication", error_description="step-up MFA required", max_age=300');
      expect(handled).toEqual([]);
      expect(lastEvent()).toMatchObject({ outcome: 'denied', resource: 'secret:db-password', details: { stepUpRequired: true }, reason: expect.stringMatching(/^step-up required/) });
    });

    it('answers 401 step_up_required for a fresh login without a second factor', async () => {
      await http().put('/secrets/db-password').set('Authorization', `Bearer ${await token({ amr: ['pwd'], authTime: nowSec() })}`).expect(401);
      expect(handled).toEqual([]);
    });

    it('allows it with a fresh MFA check, and audits the named resource', async () => {
      await http().put('/secrets/db-password').set('Authorization', `Bearer ${await token({ amr: ['pwd', 'otp'], authTime: nowSec() - 10 })}`).expect(200);
      expect(handled).toEqual(['secrets:write db-password']);
      expect(lastEvent()).toMatchObject({ outcome: 'allowed', resource: 'secret:db-password' });
    });

    it('asks for step-up on a long silence but not a short one (request context)', async () => {
      const stale = `Bearer ${await token({ roles: ['compliance-officer'], authTime: nowSec() - 3600 })}`;
      await http().post('/silences').set('Authorization', stale).send({ durationSec: 3600 }).expect(201);
      const long = await http().post('/silences').set('Authorization', stale).send({ durationSec: 86_400 }).expect(401);
      expect(long.body.error).toBe('step_up_required');
      expect(handled).toEqual(['silences:write 3600']);
    });
  });

  describe('audit failure: fail closed', () => {
    it.each(['throw', 'reject'] as const)('refuses an allowed request with 503 when the sink fails (%s), without running the handler', async (failure) => {
      sink.failure = failure;
      const res = await http().get('/alerts').set('Authorization', `Bearer ${await token()}`).expect(503);
      expect(res.body).toMatchObject({ error: 'audit_unavailable' });
      expect(handled).toEqual([]);
    });

    it('refuses a denied request with 503 too', async () => {
      sink.failure = 'throw';
      await http().get('/alerts').expect(503);
    });
  });

  it('leaves routes without @RequirePermission alone (no token needed, nothing audited)', async () => {
    await http().get('/public').expect(200, { open: true });
    expect(sink.events).toEqual([]);
  });

  it('answers 503 auth_unavailable (and audits) when the signing keys cannot be loaded', async () => {
    const other = new RecordingSink();
    const down = await appWith(other, unavailableVerifier);
    try {
      const res = await request(down.getHttpServer()).get('/alerts').set('Authorization', `Bearer ${await token()}`).expect(503);
      expect(res.body).toMatchObject({ error: 'auth_unavailable' });
      expect(other.events).toEqual([expect.objectContaining({ outcome: 'denied', details: expect.objectContaining({ code: 'KEYS_UNAVAILABLE' }) })]);
    } finally {
      await down.close();
    }
  });

  // Every role of the policy against every test route: the HTTP status is what the policy
  // decides for a fresh MFA session, and each request leaves exactly one audit event.
  const routes: [string, 'get' | 'put' | 'post', string, object][] = [
    ['alerts:read', 'get', '/alerts', {}],
    ['secrets:write', 'put', '/secrets/x', {}],
    ['silences:write', 'post', '/silences', { durationSec: 60 }],
    ['orders:publish', 'post', '/orders', {}],
    ['metrics:read', 'get', '/whoami', {}],
  ];
  it.each(policy.roleNames.flatMap((role) => routes.map((route) => [role, ...route] as const)))('%s on %s (%s %s)', async (role, permission, method, path, body) => {
    const allowed = policy.authorize({ roles: [role], authTime: nowSec(), amr: ['otp'] }, permission, { durationSec: 60 }).allowed;
    const req = http()[method](path).set('Authorization', `Bearer ${await token({ roles: [role], authTime: nowSec() - 5 })}`);
    const res = await (method === 'get' ? req : req.send(body));
    expect(res.status).toBe(allowed ? (method === 'post' ? 201 : 200) : 403);
    expect(sink.events).toHaveLength(1);
    expect(lastEvent()).toMatchObject({ outcome: allowed ? 'allowed' : 'denied', actor: { roles: [role] }, details: { permission } });
  });
});

describe('RequirePermission', () => {
  it.each(['secrets', 'secrets:*', '*:read', 'Secrets:Write', ''])('refuses %j at declaration time', (permission) => {
    expect(() => RequirePermission(permission)).toThrow(/must be a concrete resource:action/);
  });
});

describe('AuthModule.forRoot', () => {
  it.each<[string, object, RegExp]>([
    ['no service', { verifier: unavailableVerifier, auditSink: new RecordingSink() }, /AuthModule service/],
    ['no audit sink', { service: 'vault', verifier: unavailableVerifier }, /AuthModule auditSink/],
    ['no verifier', { service: 'vault', auditSink: new RecordingSink() }, /AuthModule verifier/],
  ])('refuses %s', (_what, options, message) => {
    expect(() => AuthModule.forRoot(options as never)).toThrow(message);
  });

  it('stops the app at start-up on a bad policy file, naming the file', async () => {
    const compile = Test.createTestingModule({
      imports: [AuthModule.forRoot({ service: 'vault', verifier: unavailableVerifier, auditSink: new RecordingSink(), policy: '/nonexistent/policy.yaml' })],
    }).compile();
    await expect(compile).rejects.toThrow(/RBAC policy \/nonexistent\/policy\.yaml is invalid/);
  });
});

import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSigningKey, issueToken, type SigningKey } from '@vigil/auth';
import { loadConfig } from '@vigil/config';
import { auditEventsContract, complianceAlertsContract, marketOrdersContract, type AuditEvent, type ComplianceAlert } from '@vigil/contracts';
import { createConsumerRunner, createEventProducer, silentLogger } from '@vigil/kafka';
import { createLogger } from '@vigil/observability';
import { startService, type RunningService } from '@vigil/service';
import { deleteRedisKeysByPrefix, serviceEnv, testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import Redis from 'ioredis';
import { AppModule } from '../app.module';
import { complianceDetectorConfig } from '../compliance-detector.config';
import { OrderStream } from '../test-support/rule-harness';

const ISSUER = 'vigil-test-issuer';

// The rules API on the running service: RBAC with step-up through libs/auth, a change validated,
// audited on audit.events.v1 (read back from Kafka), kept in Redis across a restart, and applied
// to the next events without a restart.
describe('compliance-detector rules API', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let redis: Redis;
  let key: SigningKey;
  let jwks: Server;
  let jwksUrl: string;
  let service: RunningService | undefined;
  const prefix = testPrefix();
  const keyPrefix = `${prefix}det:`;
  const audits: AuditEvent[] = [];
  const alerts: ComplianceAlert[] = [];
  const readers: (() => Promise<void>)[] = [];

  const connection = () => ({ brokers: infra.kafkaBrokers, clientId: 'rules-api-test', topicPrefix: prefix, registryUrl: infra.registryUrl });

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['kafka', 'redis', 'registry']));
    redis = new Redis(infra.redisUrl);
    key = await generateSigningKey('rules-test-key');
    jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.publicJwk] })));
    await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/jwks.json`;
    service = await start();
    const read = <T>(name: string, contract: Parameters<typeof createConsumerRunner<T>>[0]['contracts'][number], sink: T[]) => {
      const reader = createConsumerRunner<T>({
        ...connection(),
        groupId: `${prefix}reader-${name}`,
        contracts: [contract],
        logger: silentLogger,
        lagIntervalMs: 0,
        handler: async (messages) => void sink.push(...messages.map((m) => m.value)),
      });
      readers.push(() => reader.stop());
      void reader.start();
    };
    read<AuditEvent>('audit', auditEventsContract, audits);
    read<ComplianceAlert>('alerts', complianceAlertsContract, alerts);
  });

  afterAll(async () => {
    for (const stop of readers) await stop();
    if (service) await service.stop('test');
    await new Promise((resolve) => jwks?.close(resolve));
    await deleteRedisKeysByPrefix(keyPrefix, redis);
    redis?.disconnect();
    await stopInfra?.();
  });

  async function start(): Promise<RunningService> {
    const config = loadConfig(complianceDetectorConfig, {
      ...process.env,
      ...serviceEnv(infra, prefix),
      VIGIL_HTTP_PORT: '0',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_DETECTOR_KEY_PREFIX: keyPrefix,
      VIGIL_DETECTOR_IDLE_FLUSH_AFTER: '0s',
      VIGIL_DETECTOR_AUTH_ISSUER: ISSUER,
      VIGIL_DETECTOR_AUTH_JWKS_URL: jwksUrl,
    });
    const running = await startService({ name: 'compliance-detector', module: AppModule, config, logger: createLogger('compliance-detector-test', 'silent') });
    await until('the service to be ready', async () => ((await fetch(`${running.url}/readyz`)).status === 200 ? true : undefined));
    return running;
  }

  async function token(roles: string[], options: { mfaSecondsAgo?: number; subject?: string } = {}): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return issueToken(key, {
      issuer: ISSUER,
      audience: 'compliance-detector',
      ttlSec: 300,
      subject: options.subject ?? `${roles.join('+')}-user`,
      principalType: 'user',
      roles,
      amr: ['pwd', 'otp'],
      authTime: now - (options.mfaSecondsAgo ?? 0),
    });
  }

  async function call(method: string, path: string, bearer: string | undefined, body?: unknown) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (bearer) headers['authorization'] = `Bearer ${bearer}`;
    const res = await fetch(`${service?.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  it('answers 401 without a token, 403 without compliance-admin, 401 step_up_required without a recent MFA', async () => {
    const change = { parameters: { maxRatio: 10 } };
    expect((await call('PATCH', '/api/rules/order-to-trade-ratio', undefined, change)).status).toBe(401);
    const officer = await call('PATCH', '/api/rules/order-to-trade-ratio', await token(['compliance-officer']), change);
    expect(officer).toMatchObject({ status: 403, body: { error: 'forbidden' } });
    const stale = await call('PATCH', '/api/rules/order-to-trade-ratio', await token(['compliance-admin'], { mfaSecondsAgo: 3_600 }), change);
    expect(stale).toMatchObject({ status: 401, body: { error: 'step_up_required' } });
    // A compliance officer reads the rules (no step-up for reading).
    const read = await call('GET', '/api/rules', await token(['compliance-officer'], { mfaSecondsAgo: 3_600 }));
    expect(read.status).toBe(200);
    expect(read.body.rules.find((r: { id: string }) => r.id === 'order-to-trade-ratio')).toMatchObject({ version: 1, source: 'file', parameters: { maxRatio: 100, minMessages: 200 } });
    // Nothing changed.
    expect((await call('GET', '/api/rules/order-to-trade-ratio', await token(['compliance-admin']))).body.version).toBe(1);
  });

  it('refuses a bad change naming the field, and a change made from a stale version', async () => {
    const admin = await token(['compliance-admin']);
    const negative = await call('PATCH', '/api/rules/order-to-trade-ratio', admin, { parameters: { maxRatio: -1 } });
    expect(negative.status).toBe(400);
    expect(negative.body.problems).toEqual([expect.stringMatching(/^parameters\.maxRatio: /)]);
    const typo = await call('PATCH', '/api/rules/order-to-trade-ratio', admin, { parameters: { maxRatoi: 10 } });
    expect(typo.body.problems).toEqual([expect.stringMatching(/^parameters\.maxRatoi: is not a parameter of ORDER_TO_TRADE_RATIO/)]);
    const severity = await call('PATCH', '/api/rules/order-to-trade-ratio', admin, { severity: 'URGENT' });
    expect(severity).toMatchObject({ status: 400, body: { problems: [expect.stringMatching(/^severity: /)] } });
    expect((await call('PATCH', '/api/rules/no-such-rule', admin, { enabled: false })).status).toBe(404);
    expect((await call('PATCH', '/api/rules/order-to-trade-ratio', admin, { enabled: false, expectedVersion: 7 })).status).toBe(409);
  });

  it('applies an allowed change at once: version 2, audited with old and new parameters, the next events judged by it, kept across a restart', async () => {
    const admin = await token(['compliance-admin'], { subject: 'alice' });
    const changed = await call('PATCH', '/api/rules/order-to-trade-ratio', admin, { parameters: { maxRatio: 10, minMessages: 20 }, expectedVersion: 1 });
    expect(changed).toMatchObject({ status: 200, body: { id: 'order-to-trade-ratio', version: 2, source: 'api', updatedBy: 'alice', parameters: { maxRatio: 10, minMessages: 20 } } });

    // The audit event, read back from Kafka.
    const audit = await until('the rule change on audit.events.v1', () => audits.find((a) => a.action === 'rules.update' && a.outcome === 'success'));
    expect(audit).toMatchObject({
      service: 'compliance-detector',
      actor: { type: 'user', id: 'alice', roles: ['compliance-admin'] },
      resource: 'rule:order-to-trade-ratio',
      details: { oldVersion: 1, newVersion: 2, old: { parameters: { maxRatio: 100, minMessages: 200 } }, new: { parameters: { maxRatio: 10, minMessages: 20 } } },
    });
    // The guard audited the denials of the first test too.
    expect(audits.some((a) => a.outcome === 'denied')).toBe(true);

    // 25 orders and no trade: nothing under the shipped floor of 200 messages, a ratio of 24 ≥ 10 now.
    const s = new OrderStream(Date.now() - 60_000);
    for (let i = 0; i < 25; i++) s.newOrder(i * 10, `R${i}`, { accountId: 'RULES-TEST' });
    s.newOrder(5_000, 'LATER', { accountId: 'SOMEONE-ELSE' });
    const producer = createEventProducer(connection());
    await producer.send(marketOrdersContract, s.events);
    await producer.close();
    const alert = await until('the OTR alert judged with the new threshold', () => alerts.find((a) => a.accountId === 'RULES-TEST'));
    expect(alert).toMatchObject({ type: 'ORDER_TO_TRADE_RATIO', ruleVersion: 2, threshold: 10 });
    expect(alert.evidence.metrics['weightedMessages']).toBe(20);

    // Kept in Redis: a restarted service runs the changed rule.
    await service?.stop('test');
    service = await start();
    expect((await call('GET', '/api/rules/order-to-trade-ratio', admin)).body).toMatchObject({ version: 2, source: 'api', parameters: { maxRatio: 10 } });
  }, 120_000);

  it('documents the API in OpenAPI', async () => {
    const doc = (await (await fetch(`${service?.url}/docs/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/rules/{id}'] ?? {}).sort()).toEqual(['get', 'patch', 'put']);
    expect(doc.paths['/api/rules']).toHaveProperty('get');
  });
});

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, tries = 300, everyMs = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

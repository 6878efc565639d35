import { generateSigningKey, issueToken, type SigningKey } from '@vigil/auth';
import { loadConfig } from '@vigil/config';
import { auditEventsContract, type AuditEvent } from '@vigil/contracts';
import { createConsumerRunner, createEventProducer, silentLogger, type ConsumerRunner, type EventProducer } from '@vigil/kafka';
import { createLogger } from '@vigil/observability';
import { startService, type RunningService } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, serviceEnv, testPrefix, type ThrowawayDatabase } from '@vigil/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Pool } from 'pg';
import { alerterConfig } from '../alerter.config';
import { AlerterConsumer } from '../alerter.consumer';
import { AppModule } from '../app.module';

const ISSUER = 'vigil-test-issuer';

/**
 * The alerter as its main starts it, against the local Postgres (a throwaway database) and
 * Kafka (topics under a unique prefix), with tokens from a local JWKS endpoint and a routing
 * file written for the test. Restartable on the same database and topics.
 */
export class AlerterHarness {
  db!: ThrowawayDatabase;
  pool!: Pool;
  prefix = testPrefix();
  producer!: EventProducer;
  service?: RunningService;
  readonly audits: AuditEvent[] = [];
  readonly dir = mkdtempSync(path.join(tmpdir(), 'alerter-test-'));
  private signingKey!: SigningKey;
  private jwks!: Server;
  private jwksUrl = '';
  private auditReader?: ConsumerRunner<AuditEvent>;

  /** env: the alerter's settings over the test defaults; may be completed before setUp. */
  constructor(readonly env: Record<string, string>) {}

  async setUp(routingYaml: string): Promise<void> {
    writeFileSync(path.join(this.dir, 'routing.yaml'), routingYaml);
    this.db = await createThrowawayDatabase();
    this.pool = new Pool({ connectionString: this.db.url, max: 3 });
    this.signingKey = await generateSigningKey('test-key');
    this.jwks = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [this.signingKey.publicJwk] })));
    await new Promise<void>((resolve) => this.jwks.listen(0, '127.0.0.1', resolve));
    this.jwksUrl = `http://127.0.0.1:${(this.jwks.address() as AddressInfo).port}/jwks.json`;
    const infra = infraEnv();
    this.producer = createEventProducer({ brokers: infra.kafkaBrokers, clientId: 'alerter-int-test', topicPrefix: this.prefix });
    await this.start();
    this.auditReader = createConsumerRunner<AuditEvent>({
      brokers: infra.kafkaBrokers,
      clientId: 'alerter-int-test-audit',
      topicPrefix: this.prefix,
      registryUrl: infra.registryUrl,
      groupId: `${this.prefix}audit-reader`,
      contracts: [auditEventsContract],
      logger: silentLogger,
      lagIntervalMs: 0,
      handler: async (messages) => void this.audits.push(...messages.map((m) => m.value)),
    });
    void this.auditReader.start();
  }

  async start(): Promise<RunningService> {
    const config = loadConfig(alerterConfig, {
      ...process.env,
      ...serviceEnv(infraEnv(), this.prefix),
      VIGIL_DATABASE_URL: this.db.url,
      VIGIL_HTTP_PORT: '0',
      VIGIL_LOG_LEVEL: 'silent',
      VIGIL_ALERTER_ROUTING_FILE: path.join(this.dir, 'routing.yaml'),
      VIGIL_ALERTER_AUTH_ISSUER: ISSUER,
      VIGIL_ALERTER_AUTH_JWKS_URL: this.jwksUrl,
      ...this.env,
    });
    this.service = await startService({ name: 'alerter', module: AppModule, config, logger: createLogger('alerter', 'silent') });
    await until('the alerter to be ready', async () => ((await fetch(`${this.url}/readyz`)).status === 200 ? true : undefined), 300);
    await this.service.app.get(AlerterConsumer).started;
    return this.service;
  }

  async stop(): Promise<void> {
    const service = this.service;
    this.service = undefined;
    if (service) expect(await service.stop('test')).toBe(0);
  }

  get url(): string {
    if (!this.service) throw new Error('the alerter is not running');
    return this.service.url;
  }

  async token(roles: string[], subject = `${roles.join('+')}-user`): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    return issueToken(this.signingKey, { issuer: ISSUER, audience: 'alerter', ttlSec: 300, subject, principalType: 'user', roles, amr: ['pwd', 'otp'], authTime: now });
  }

  async call(roles: string[] | undefined, method: string, urlPath: string, body?: unknown) {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (roles) headers.authorization = `Bearer ${await this.token(roles)}`;
    const res = await fetch(`${this.url}${urlPath}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }

  async tearDown(): Promise<void> {
    await this.auditReader?.stop();
    await this.stop().catch(() => undefined);
    await this.producer?.close();
    await this.pool?.end();
    await new Promise((resolve) => this.jwks?.close(resolve));
    await this.db?.drop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, tries = 300, everyMs = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

import { INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { baseServiceConfig, loadConfig } from '@vigil/config';
import { createLogger, HealthCheck } from '@vigil/observability';
import request from 'supertest';
import { configureServiceApp } from './run-service';
import { HEALTH_CHECKS } from './service.constants';
import { ServiceModule } from './service.module';
import { ShutdownService } from './shutdown/shutdown.service';

// The runtime's HTTP surface, through @nestjs/testing and supertest, around a fake app
// whose one dependency can be switched between healthy and failing.
const database = { up: false };
const checks: HealthCheck[] = [
  {
    name: 'database',
    check: async () => {
      if (!database.up) throw new Error('connect ECONNREFUSED 127.0.0.1:5999');
    },
  },
  { name: 'cache', check: async () => undefined },
];

@Module({ providers: [{ provide: HEALTH_CHECKS, useValue: checks }], exports: [HEALTH_CHECKS] })
class FakeAppModule {}

/** Checks the Prometheus text exposition format line by line; returns the offending lines. */
function invalidPrometheusLines(text: string): string[] {
  const name = '[a-zA-Z_:][a-zA-Z0-9_:]*';
  const labels = `\\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:\\\\.|[^"\\\\])*",?)*\\}`;
  const value = '(?:[-+]?[0-9]*\\.?[0-9]+(?:[eE][-+]?[0-9]+)?|NaN|[-+]Inf)';
  const sample = new RegExp(`^(${name})(?:${labels})? ${value}(?: -?\\d+)?$`);
  const help = new RegExp(`^# HELP ${name} .*$`);
  const type = new RegExp(`^# TYPE (${name}) (counter|gauge|histogram|summary|untyped)$`);
  const typed = new Set<string>();
  return text
    .split('\n')
    .filter((line) => line !== '')
    .filter((line) => {
      const t = type.exec(line);
      if (t) return !typed.add(t[1]);
      if (help.test(line)) return false;
      const s = sample.exec(line);
      // A sample belongs to a family declared above it (histograms add _bucket, _sum, _count).
      return !s || !typed.has(s[1].replace(/_(bucket|sum|count)$/, '')) && !typed.has(s[1]);
    });
}

describe('service runtime over HTTP', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const config = loadConfig(baseServiceConfig('e2e-svc', 0), { VIGIL_LOG_LEVEL: 'silent' });
    const moduleRef = await Test.createTestingModule({
      imports: [ServiceModule.forRoot({ name: 'e2e-svc', module: FakeAppModule, config, logger: createLogger('e2e-svc', 'silent') })],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    configureServiceApp(app, { name: 'e2e-svc', description: 'A service for the runtime tests' });
    await app.init();
  });

  afterAll(() => app.close());

  it('GET /healthz answers 200 while the process runs', async () => {
    const res = await request(app.getHttpServer()).get('/healthz').expect(200);
    expect(res.body).toEqual({ status: 'ok' });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('tags each response with a request id, keeping a sane one the caller sent', async () => {
    const own = await request(app.getHttpServer()).get('/healthz').expect(200);
    expect(own.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const given = await request(app.getHttpServer()).get('/healthz').set('X-Request-Id', 'gw-42.7').expect(200);
    expect(given.headers['x-request-id']).toBe('gw-42.7');
    const rejected = await request(app.getHttpServer()).get('/healthz').set('X-Request-Id', 'a b<script>').expect(200);
    expect(rejected.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('GET /readyz answers 503 naming the failing dependency and why, then 200 once it recovers', async () => {
    database.up = false;
    const down = await request(app.getHttpServer()).get('/readyz').expect(503);
    expect(down.body).toEqual({
      status: 'unavailable',
      checks: { database: { status: 'failing', error: 'connect ECONNREFUSED 127.0.0.1:5999' }, cache: { status: 'ok' } },
    });

    database.up = true;
    const up = await request(app.getHttpServer()).get('/readyz').expect(200);
    expect(up.body).toEqual({ status: 'ok', checks: { database: { status: 'ok' }, cache: { status: 'ok' } } });
  });

  it('GET /metrics answers valid Prometheus text with the default, Kafka and HTTP metrics', async () => {
    await request(app.getHttpServer()).get('/healthz').expect(200);
    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(invalidPrometheusLines(res.text)).toEqual([]);
    expect(invalidPrometheusLines('# TYPE up gauge\nup 1\nup{job=x} 1\ndown 1\n')).toEqual(['up{job=x} 1', 'down 1']);
    expect(res.text).toMatch(/^process_cpu_user_seconds_total\{service="e2e-svc"\} /m);
    expect(res.text).toMatch(/^nodejs_eventloop_lag_seconds\{service="e2e-svc"\} /m);
    expect(res.text).toContain('# TYPE vigil_kafka_consumer_messages_total counter');
    expect(res.text).toMatch(/^vigil_http_request_duration_seconds_count\{service="e2e-svc",method="GET",route="\/healthz",status_code="200"\} [1-9]/m);
  });

  it('labels an unknown path as unmatched, never by its raw path', async () => {
    await request(app.getHttpServer()).get('/alerts/4f1c2a').expect(404);
    const res = await request(app.getHttpServer()).get('/metrics').expect(200);
    expect(res.text).toMatch(/^vigil_http_request_duration_seconds_count\{service="e2e-svc",method="GET",route="unmatched",status_code="404"\} 1$/m);
    expect(res.text).not.toContain('4f1c2a');
  });

  it('GET /docs/openapi.json is an OpenAPI 3 document of the operations endpoints', async () => {
    const res = await request(app.getHttpServer()).get('/docs/openapi.json').expect(200);
    const doc = res.body;
    expect(doc.openapi).toMatch(/^3\.\d+\.\d+$/);
    expect(doc.info).toMatchObject({ title: 'Vigil e2e-svc', description: 'A service for the runtime tests', version: '0.1.0' });
    for (const path of ['/healthz', '/readyz', '/metrics']) {
      expect(doc.paths[path].get.responses['200']).toBeDefined();
    }
    expect(doc.paths['/readyz'].get.responses['503']).toBeDefined();
    // Every $ref points at a schema the document defines.
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of refs) expect(doc.components.schemas[ref]).toBeDefined();
  });

  it('GET /docs serves Swagger UI', async () => {
    const res = await request(app.getHttpServer()).get('/docs').redirects(1).expect(200);
    expect(res.headers['content-type']).toContain('text/html');
    expect(res.text).toContain('swagger-ui');
  });

  it('answers 503 on /healthz and /readyz once shutdown has begun', async () => {
    await app.get(ShutdownService).drain();
    await request(app.getHttpServer()).get('/healthz').expect(503, { status: 'shutting_down' });
    await request(app.getHttpServer()).get('/readyz').expect(503, { status: 'shutting_down', checks: {} });
  });
});

import { loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { readinessOnceReady, startService, topicPartitions } from '@vigil/service';
import { infraEnv, serviceEnv, testPrefix } from '@vigil/testing';
import { AppModule } from './app.module';
import { authGatewayConfig } from './auth-gateway.config';

// The auth-gateway as its main starts it (on a free port, its topics under a unique prefix),
// against the local Postgres, Kafka and schema registry.
describe('auth-gateway service', () => {
  it('creates its topics, becomes ready with postgres, redis, kafka and the registry checked, serves its metrics, and stops cleanly', async () => {
    const prefix = testPrefix();
    const config = loadConfig(authGatewayConfig, { ...process.env, ...serviceEnv(infraEnv(), prefix), VIGIL_HTTP_PORT: '0', VIGIL_LOG_LEVEL: 'silent', VIGIL_AUTH_SEED_KEY_FILE: undefined });
    const service = await startService({ name: 'auth-gateway', module: AppModule, config, logger: createLogger('auth-gateway', 'silent') });
    try {
      expect(await readinessOnceReady(service)).toEqual({
        status: 200,
        body: { status: 'ok', checks: { postgres: { status: 'ok' }, redis: { status: 'ok' }, kafka: { status: 'ok' }, 'schema-registry': { status: 'ok' } } },
      });

      const expected: Record<string, number> = {
        'audit.events.v1': 6,
        'security.incidents.v1': 3,
      };
      expect(await topicPartitions(service, prefix, Object.keys(expected))).toEqual(expected);

      // Started without VIGIL_AUTH_SEED_KEY_FILE: it runs, and what needs a key says which variable is missing.
      const jwks = await fetch(`${service.url}/.well-known/jwks.json`);
      expect({ status: jwks.status, body: await jwks.json() }).toEqual({ status: 503, body: { error: 'auth_unavailable', message: expect.stringContaining('VIGIL_AUTH_SEED_KEY_FILE is not set') } });

      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="auth-gateway"\} /m);
    } finally {
      expect(await service.stop('test')).toBe(0);
    }
  });
});

import { loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { readinessOnceReady, startService, topicPartitions } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, serviceEnv, testPrefix } from '@vigil/testing';
import { AppModule } from './app.module';
import { alerterConfig } from './alerter.config';
import { AlerterConsumer } from './alerter.consumer';

// The alerter as its main starts it (on a free port, its topics under a unique prefix),
// against the local Postgres, Kafka and schema registry.
describe('alerter service', () => {
  it('creates its topics, becomes ready with postgres, kafka and the registry checked, serves its metrics, and stops cleanly', async () => {
    const prefix = testPrefix();
    const db = await createThrowawayDatabase();
    const config = loadConfig(alerterConfig, { ...process.env, ...serviceEnv(infraEnv(), prefix), VIGIL_DATABASE_URL: db.url, VIGIL_HTTP_PORT: '0', VIGIL_LOG_LEVEL: 'silent' });
    const service = await startService({ name: 'alerter', module: AppModule, config, logger: createLogger('alerter', 'silent') });
    try {
      expect(await readinessOnceReady(service)).toEqual({
        status: 200,
        body: { status: 'ok', checks: { postgres: { status: 'ok' }, migrations: { status: 'ok' }, kafka: { status: 'ok' }, 'schema-registry': { status: 'ok' } } },
      });

      const expected: Record<string, number> = {
        'compliance.alerts.v1': 6,
        'compliance.alerts.v1.dlq': 1,
        'security.incidents.v1': 3,
        'security.incidents.v1.dlq': 1,
        'audit.events.v1': 6,
      };
      expect(await topicPartitions(service, prefix, Object.keys(expected))).toEqual(expected);

      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      // Stopping while the consumer is still joining its group makes @platformatic/kafka emit
      // an unhandled stream error (reported to libs/kafka); stop once it reads.
      await service.app.get(AlerterConsumer).started;
      expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="alerter"\} /m);
    } finally {
      expect(await service.stop('test')).toBe(0);
      await db.drop();
    }
  });
});

import { loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { readinessOnceReady, startService, topicPartitions } from '@vigil/service';
import { infraEnv, serviceEnv, testPrefix } from '@vigil/testing';
import { AppModule } from './app.module';
import { reporterConfig } from './reporter.config';

// The reporter as its main starts it (on a free port, its topics under a unique prefix),
// against the local Postgres, Kafka and schema registry.
describe('reporter service', () => {
  it('creates its topics, becomes ready with postgres, kafka and the registry checked, serves its metrics, and stops cleanly', async () => {
    const prefix = testPrefix();
    const config = loadConfig(reporterConfig, { ...process.env, ...serviceEnv(infraEnv(), prefix), VIGIL_HTTP_PORT: '0', VIGIL_LOG_LEVEL: 'silent' });
    const service = await startService({ name: 'reporter', module: AppModule, config, logger: createLogger('reporter', 'silent') });
    try {
      expect(await readinessOnceReady(service)).toEqual({
        status: 200,
        body: { status: 'ok', checks: { postgres: { status: 'ok' }, kafka: { status: 'ok' }, 'schema-registry': { status: 'ok' } } },
      });

      const expected: Record<string, number> = {
        'compliance.alerts.v1': 6,
        'compliance.alerts.v1.dlq': 1,
        'market.orders.v1': 6,
        'market.orders.v1.dlq': 1,
        'audit.checkpoints': 3,
        'audit.checkpoints.dlq': 1,
        'reports.generated': 3,
        'audit.events.v1': 6,
      };
      expect(await topicPartitions(service, prefix, Object.keys(expected))).toEqual(expected);

      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="reporter"\} /m);
    } finally {
      expect(await service.stop('test')).toBe(0);
    }
  });
});

import { loadConfig } from '@vigil/config';
import { KafkaAdmin } from '@vigil/kafka';
import { createLogger } from '@vigil/observability';
import { startService } from '@vigil/service';
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
      let readyz = await fetch(`${service.url}/readyz`);
      // Its topics are created in the background and clients connect lazily: a poller sees it ready soon after.
      for (let i = 0; i < 150 && readyz.status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        readyz = await fetch(`${service.url}/readyz`);
      }
      expect({ status: readyz.status, body: await readyz.json() }).toEqual({
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
      const names = Object.keys(expected).map((topic) => `${prefix}${topic}`);
      const described = async () => Object.fromEntries([...(await service.app.get(KafkaAdmin).describeTopics(names))].map(([name, count]) => [name.slice(prefix.length), count]));
      // The broker's metadata can trail a topic's creation by a moment.
      let partitions = await described();
      for (let i = 0; i < 50 && Object.keys(partitions).length < names.length; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        partitions = await described();
      }
      expect(partitions).toEqual(expected);

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

import { loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { startService } from '@vigil/service';
import { AppModule } from './app.module';
import { reporterConfig } from './reporter.config';

// The reporter as its main starts it (on a free port), against the local Postgres and Kafka.
describe('reporter service', () => {
  it('becomes ready with postgres and kafka checked, serves its metrics, and stops cleanly', async () => {
    const config = loadConfig(reporterConfig, { ...process.env, VIGIL_HTTP_PORT: '0', VIGIL_LOG_LEVEL: 'silent' });
    const service = await startService({ name: 'reporter', module: AppModule, config, logger: createLogger('reporter', 'silent') });
    try {
      let readyz = await fetch(`${service.url}/readyz`);
      // A client may still be connecting on the first probe; a poller sees it ready next.
      for (let i = 0; i < 20 && readyz.status !== 200; i++) {
        await new Promise((resolve) => setTimeout(resolve, 100));
        readyz = await fetch(`${service.url}/readyz`);
      }
      expect({ status: readyz.status, body: await readyz.json() }).toEqual({
        status: 200,
        body: { status: 'ok', checks: { postgres: { status: 'ok' }, kafka: { status: 'ok' } } },
      });
      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="reporter"\} /m);
    } finally {
      expect(await service.stop('test')).toBe(0);
    }
  });
});

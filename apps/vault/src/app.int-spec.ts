import { loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { readinessOnceReady, startService, topicPartitions } from '@vigil/service';
import { createThrowawayDatabase, infraEnv, registerSecretForLeakScan, serviceEnv, testPrefix } from '@vigil/testing';
import { randomBytes } from 'node:crypto';
import { AppModule } from './app.module';
import { vaultConfig } from './vault.config';

// The vault as its main starts it (on a free port, its topics under a unique prefix),
// against the local Postgres, Kafka and schema registry.
describe('vault service', () => {
  it('migrates, unseals, creates its topics, becomes ready with the seal, postgres, kafka and the registry checked, serves its metrics, and stops cleanly', async () => {
    const prefix = testPrefix();
    // Its own database: the keyring it creates there belongs to this run's master key.
    const db = await createThrowawayDatabase();
    const config = loadConfig(vaultConfig, {
      ...process.env,
      ...serviceEnv(infraEnv(), prefix),
      VIGIL_DATABASE_URL: db.url,
      VIGIL_VAULT_MASTER_KEY: registerSecretForLeakScan(randomBytes(32).toString('base64'), 'vault master key (app test)'),
      VIGIL_HTTP_PORT: '0',
      VIGIL_LOG_LEVEL: 'silent',
    });
    const service = await startService({ name: 'vault', module: AppModule, config, logger: createLogger('vault', 'silent') });
    try {
      expect(await readinessOnceReady(service)).toEqual({
        status: 200,
        body: { status: 'ok', checks: { vault: { status: 'ok' }, postgres: { status: 'ok' }, kafka: { status: 'ok' }, 'schema-registry': { status: 'ok' } } },
      });

      const expected: Record<string, number> = {
        'audit.events.v1': 6,
        'security.incidents.v1': 3,
      };
      expect(await topicPartitions(service, prefix, Object.keys(expected))).toEqual(expected);

      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="vault"\} /m);
      expect(metrics).toMatch(/^vigil_vault_sealed\{service="vault"\} 0$/m);
      const openapi = (await (await fetch(`${service.url}/docs/openapi.json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(openapi.paths)).toEqual(
        expect.arrayContaining(['/v1/secrets/data/{path}', '/v1/secrets/list', '/v1/transit/encrypt/{name}', '/v1/sys/leases/renew', '/v1/sys/leases/revoke-prefix/{path}', '/v1/sys/keyring/rotate', '/v1/sys/keyring/rekey', '/v1/sys/seal-status']),
      );
    } finally {
      expect(await service.stop('test')).toBe(0);
      await db.drop();
    }
  });
});

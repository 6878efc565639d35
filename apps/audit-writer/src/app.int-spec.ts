import { loadConfig } from '@vigil/config';
import { createLogger } from '@vigil/observability';
import { readinessOnceReady, startService, topicPartitions } from '@vigil/service';
import { generateNoteKeys } from '@vigil/merkle';
import { createThrowawayDatabase, infraEnv, serviceEnv, testPrefix } from '@vigil/testing';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AppModule } from './app.module';
import { auditWriterConfig } from './audit-writer.config';
import { migrateAudit } from './migrate';

// The audit-writer as its main starts it (on a free port, its topics under a unique prefix),
// against the local Postgres, Kafka and schema registry.
describe('audit-writer service', () => {
  it('creates its topics, becomes ready with postgres, kafka and the registry checked, serves its metrics, and stops cleanly', async () => {
    const prefix = testPrefix();
    const db = await createThrowawayDatabase();
    await migrateAudit(db.url);
    const keyDir = mkdtempSync(path.join(tmpdir(), 'vigil-audit-'));
    const keyFile = path.join(keyDir, 'signer.key');
    writeFileSync(keyFile, generateNoteKeys('vigil.audit.test').signerKey, { mode: 0o600 });
    const config = loadConfig(auditWriterConfig, {
      ...process.env,
      ...serviceEnv(infraEnv(), prefix),
      VIGIL_DATABASE_URL: db.url,
      VIGIL_AUDIT_SIGNING_KEY_FILE: keyFile,
      VIGIL_HTTP_PORT: '0',
      VIGIL_LOG_LEVEL: 'silent',
    });
    const service = await startService({ name: 'audit-writer', module: AppModule, config, logger: createLogger('audit-writer', 'silent') });
    try {
      expect(await readinessOnceReady(service)).toEqual({
        status: 200,
        body: { status: 'ok', checks: { postgres: { status: 'ok' }, kafka: { status: 'ok' }, 'schema-registry': { status: 'ok' } } },
      });

      const expected: Record<string, number> = {
        'audit.events.v1': 6,
        'audit.events.v1.dlq': 1,
        'market.orders.v1': 6,
        'market.orders.v1.dlq': 1,
        'audit.checkpoints': 3,
        'security.incidents.v1': 3,
      };
      expect(await topicPartitions(service, prefix, Object.keys(expected))).toEqual(expected);

      const metrics = await (await fetch(`${service.url}/metrics`)).text();
      expect(metrics).toMatch(/^process_cpu_user_seconds_total\{service="audit-writer"\} /m);
    } finally {
      expect(await service.stop('test')).toBe(0);
      await db.drop();
      rmSync(keyDir, { recursive: true, force: true });
    }
  });
});

import { loadConfigOrExit } from '@vigil/config';
import { migrate, serviceMigrationsDir } from '@vigil/database';
import { Pool } from 'pg';
import { auditWriterConfig } from './audit-writer.config';

export const AUDIT_SCHEMA = 'audit';

/** Applies the audit schema's migrations to `databaseUrl` (scripts/start.mjs runs the built file). */
export async function migrateAudit(databaseUrl: string): Promise<string[]> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    return await migrate({ pool, schema: AUDIT_SCHEMA, dir: serviceMigrationsDir('audit-writer', __dirname) });
  } finally {
    await pool.end();
  }
}

if (require.main === module) {
  const config = loadConfigOrExit(auditWriterConfig.pick({ VIGIL_DATABASE_URL: true }));
  migrateAudit(config.VIGIL_DATABASE_URL).then(
    (applied) => console.error(JSON.stringify({ level: 'info', service: 'audit-writer', msg: 'migrations applied', applied })),
    (error: unknown) => {
      console.error(`audit-writer migrate: ${(error as Error).message}`);
      process.exitCode = 1;
    },
  );
}

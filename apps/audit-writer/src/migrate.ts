import { existsSync } from 'node:fs';
import path from 'node:path';
import { loadConfigOrExit } from '@vigil/config';
import { migrate } from '@vigil/database';
import { Pool } from 'pg';
import { auditWriterConfig } from './audit-writer.config';

export const AUDIT_SCHEMA = 'audit';

/** apps/audit-writer/migrations, from the sources (src/) or the build (dist/apps/audit-writer/src/). */
export function migrationsDir(): string {
  const candidates = [path.resolve(__dirname, '../migrations'), path.resolve(__dirname, '../../../../apps/audit-writer/migrations')];
  const found = candidates.find((dir) => existsSync(dir));
  if (!found) throw new Error(`audit-writer migrations not found in ${candidates.join(' or ')}`);
  return found;
}

/** Applies the audit schema's migrations to `databaseUrl` (scripts/start.mjs runs the built file). */
export async function migrateAudit(databaseUrl: string): Promise<string[]> {
  const pool = new Pool({ connectionString: databaseUrl, max: 1 });
  try {
    return await migrate({ pool, schema: AUDIT_SCHEMA, dir: migrationsDir() });
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

import type { FactoryProvider } from '@nestjs/common';
import { migrate } from '@vigil/database';
import { PG_POOL, SERVICE_LOGGER } from '@vigil/service';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Pool } from 'pg';
import type { Logger } from 'pino';

export const AUTH_SCHEMA = 'auth';
/** The pool, once the `auth` schema is migrated: what every store of the gateway injects. */
export const AUTH_DB = Symbol('AUTH_DB');

/** apps/auth-gateway/migrations, from src (ts-jest) or dist/apps/auth-gateway/src (built). */
export function migrationsDir(): string {
  const candidates = [path.resolve(__dirname, '../../migrations'), path.resolve(__dirname, '../../../../../apps/auth-gateway/migrations')];
  return candidates.find((dir) => existsSync(dir)) ?? candidates[0];
}

export async function migrateAuthSchema(pool: Pool, logger?: Logger): Promise<Pool> {
  await migrate({ pool, schema: AUTH_SCHEMA, dir: migrationsDir(), logger });
  return pool;
}

export const authDbProvider: FactoryProvider<Pool> = {
  provide: AUTH_DB,
  inject: [PG_POOL, SERVICE_LOGGER],
  useFactory: (pool: Pool, logger: Logger) => migrateAuthSchema(pool, logger),
};

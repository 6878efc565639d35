import type { FactoryProvider } from '@nestjs/common';
import { migrate, serviceMigrationsDir } from '@vigil/database';
import { PG_POOL, SERVICE_LOGGER } from '@vigil/service';
import type { Pool } from 'pg';
import type { Logger } from 'pino';

export const AUTH_SCHEMA = 'auth';
/** The pool, once the `auth` schema is migrated: what every store of the gateway injects. */
export const AUTH_DB = Symbol('AUTH_DB');

export async function migrateAuthSchema(pool: Pool, logger?: Logger): Promise<Pool> {
  await migrate({ pool, schema: AUTH_SCHEMA, dir: serviceMigrationsDir('auth-gateway', __dirname), logger });
  return pool;
}

export const authDbProvider: FactoryProvider<Pool> = {
  provide: AUTH_DB,
  inject: [PG_POOL, SERVICE_LOGGER],
  useFactory: (pool: Pool, logger: Logger) => migrateAuthSchema(pool, logger),
};

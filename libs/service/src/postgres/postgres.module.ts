import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { BaseServiceConfig } from '@vigil/config';
import { describeError } from '@vigil/observability';
import { Pool } from 'pg';
import { PG_POOL, SERVICE_CONFIG, SERVICE_NAME } from '../service.constants';

function createPool(config: BaseServiceConfig, name: string): Pool {
  const pool = new Pool({
    connectionString: config.VIGIL_DATABASE_URL,
    application_name: name,
    connectionTimeoutMillis: 5_000,
  });
  // An idle client losing its connection (Postgres restarted) emits 'error' on the pool;
  // unhandled, that would end the process. The next query reconnects.
  const logger = new Logger('Postgres');
  pool.on('error', (err) => logger.warn(`idle connection lost: ${describeError(err)}`));
  return pool;
}

/** The service's pg Pool as PG_POOL, from VIGIL_DATABASE_URL; ended when the service stops. */
@Module({
  providers: [{ provide: PG_POOL, inject: [SERVICE_CONFIG, SERVICE_NAME], useFactory: createPool }],
  exports: [PG_POOL],
})
export class PostgresModule implements OnApplicationShutdown {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}

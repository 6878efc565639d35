import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { migrate, serviceMigrationsDir } from '@vigil/database';
import { PG_POOL, SERVICE_LOGGER } from '@vigil/service';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import { AUDIT_SCHEMA } from './migrate';

/**
 * Applies the audit schema's migrations when the service starts, before the consumer and
 * the API touch it (Nest runs every onModuleInit before any onApplicationBootstrap). A
 * replica starting at the same time waits on the migration lock; `migrate.js` does the
 * same as a separate step for operators who run migrations as a job.
 */
@Injectable()
export class AuditSchemaMigration implements OnModuleInit {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
  ) {}

  async onModuleInit(): Promise<void> {
    await migrate({ pool: this.pool, schema: AUDIT_SCHEMA, dir: serviceMigrationsDir('audit-writer', __dirname), logger: this.logger });
  }
}

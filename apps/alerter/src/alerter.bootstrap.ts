import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { migrate, serviceMigrationsDir, MigrationError } from '@vigil/database';
import { PG_POOL, SERVICE_LOGGER, ShutdownService } from '@vigil/service';
import type { Logger as PinoLogger } from 'pino';
import type { Pool } from 'pg';

const RETRY_MAX_MS = 15_000;

/**
 * The schema's migrations, applied at start-up before anything reads or writes: the
 * consumer, the webhook and the workers wait for `ready`. Postgres down: retried with
 * back-off (the service still answers /healthz; /readyz names Postgres). A migration refused
 * by its checksum is not retried: the files must be fixed.
 */
@Injectable()
export class AlerterBootstrap implements OnModuleInit {
  private readonly logger = new Logger('AlerterBootstrap');
  private stopped = false;
  private problem = 'migrations not applied yet';
  private resolveReady!: () => void;
  readonly ready = new Promise<void>((resolve) => (this.resolveReady = resolve));

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_LOGGER) private readonly pino: PinoLogger,
    shutdown: ShutdownService,
  ) {
    shutdown.onShutdown('alerter bootstrap', () => void (this.stopped = true));
  }

  async onModuleInit(): Promise<void> {
    if (!(await this.attempt())) void this.retry();
  }

  private async attempt(): Promise<boolean> {
    try {
      await migrate({ pool: this.pool, schema: 'alerter', dir: serviceMigrationsDir('alerter', __dirname), logger: this.pino });
      this.problem = '';
      this.resolveReady();
      return true;
    } catch (error) {
      if (error instanceof MigrationError) {
        this.problem = `migrations refused, fix the files: ${error.message}`;
        this.logger.error(`alerter ${this.problem}`);
        return true;
      }
      this.problem = `waiting for Postgres to apply migrations: ${(error as Error).message}`;
      this.logger.warn(`waiting for Postgres to apply the alerter migrations: ${(error as Error).message}`);
      return false;
    }
  }

  /** For /readyz: ready once the schema is migrated. */
  readonly healthCheck = {
    name: 'migrations',
    check: async (): Promise<void> => {
      if (this.problem) throw new Error(this.problem);
    },
  };

  private async retry(): Promise<void> {
    for (let delay = 500; !this.stopped; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      if (this.stopped || (await this.attempt())) return;
    }
  }
}

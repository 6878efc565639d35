import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { migrate, serviceMigrationsDir, MigrationError } from '@vigil/database';
import { PG_POOL, SERVICE_LOGGER, ShutdownService } from '@vigil/service';
import type { Logger as PinoLogger } from 'pino';
import type { Pool } from 'pg';
import { VaultKeyring } from './keyring/vault-keyring';
import { TransitService } from './transit/transit.service';
import { VaultMetrics } from './vault.metrics';

const RETRY_MAX_MS = 15_000;

/**
 * Start-up, in one place: the schema's migrations, then the keyring (unseal). Both before
 * the vault is ready. Postgres down: the vault stays sealed ("waiting for Postgres") and
 * retries with back-off; a migration refused by its checksum stays sealed with that reason.
 * At shutdown the keys are dropped from memory (see importKey in crypto/aes-gcm.ts).
 */
@Injectable()
export class VaultBootstrap implements OnModuleInit {
  private readonly logger = new Logger('VaultBootstrap');
  private stopped = false;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(SERVICE_LOGGER) private readonly pino: PinoLogger,
    private readonly keyring: VaultKeyring,
    private readonly transit: TransitService,
    private readonly metrics: VaultMetrics,
    shutdown: ShutdownService,
  ) {
    shutdown.onShutdown(
      'vault keys',
      () => {
        this.stopped = true;
        this.transit.wipe();
        this.keyring.sealNow('shutting down');
      },
      'clients',
    );
  }

  async onModuleInit(): Promise<void> {
    if (!(await this.attempt())) void this.retry();
  }

  private async attempt(): Promise<boolean> {
    try {
      await migrate({ pool: this.pool, schema: 'vault', dir: serviceMigrationsDir('vault', __dirname), logger: this.pino });
    } catch (error) {
      if (error instanceof MigrationError) {
        this.keyring.sealNow(`migrations refused: ${error.message}`);
        return true; // not retried: the files must be fixed
      }
      this.keyring.sealNow(`waiting for Postgres to apply migrations: ${(error as Error).message}`);
      this.metrics.sealed.set(1);
      return false;
    }
    const status = await this.keyring.unseal();
    this.metrics.sealed.set(status.sealed ? 1 : 0);
    return true;
  }

  private async retry(): Promise<void> {
    for (let delay = 500; !this.stopped; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      if (this.stopped || (await this.attempt())) return;
      this.logger.warn(`vault start-up retry in ${Math.min(delay * 2, RETRY_MAX_MS)} ms`);
    }
  }
}

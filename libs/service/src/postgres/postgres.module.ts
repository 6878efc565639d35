import { DynamicModule, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import type { BaseServiceConfig } from '@vigil/config';
import { describeError } from '@vigil/observability';
import type { VaultClient } from '@vigil/vault-client';
import { Pool, type PoolConfig } from 'pg';
import type { Logger as PinoLogger } from 'pino';
import { PG_POOL, SERVICE_CONFIG, SERVICE_LOGGER, SERVICE_NAME } from '../service.constants';
import { openServiceVault, type ServiceVaultAccess } from '../vault/service-vault-access';
import { loadDatabaseCredential, poolConfigWithCredential, refusedLogin } from './vault-database-credential';

/** The service's own settings → how it reaches the vault (PostgresModule.withVaultAccess). */
type VaultAccessOf = (config: BaseServiceConfig) => ServiceVaultAccess;

const VAULT_ACCESS_OF = Symbol('PG_VAULT_ACCESS_OF');
const PG_CONNECTION = Symbol('PG_CONNECTION');

/** The pool, and what to release after it at shutdown (the vault lease of its credential). */
interface PgConnection {
  pool: Pool;
  close(): Promise<void>;
}

function poolOf(settings: PoolConfig, name: string): Pool {
  const pool = new Pool({ ...settings, application_name: name, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection (Postgres restarted) emits 'error' on the pool;
  // unhandled, that would end the process. The next query reconnects.
  const logger = new Logger('Postgres');
  pool.on('error', (err) => logger.warn(`idle connection lost: ${describeError(err)}`));
  return pool;
}

async function connect(config: BaseServiceConfig, name: string, pino: PinoLogger, accessOf?: VaultAccessOf): Promise<PgConnection> {
  const path = config.VIGIL_DATABASE_VAULT_PATH;
  if (!path) {
    const pool = poolOf({ connectionString: config.VIGIL_DATABASE_URL }, name);
    return { pool, close: () => pool.end() };
  }
  const purpose = `VIGIL_DATABASE_VAULT_PATH ${path}`;
  if (!accessOf) {
    // The vault cannot read its own credential from itself; the gateway mints the tokens the vault needs.
    throw new Error(`${purpose}: the ${name} does not read its database credential from the vault; unset it and give the credential in VIGIL_DATABASE_URL`);
  }
  const logger = pino.child({ context: 'Postgres' });
  let vault: VaultClient | undefined;
  try {
    vault = openServiceVault(accessOf(config), purpose, logger);
    const credential = await loadDatabaseCredential(vault, path);
    const settings = poolConfigWithCredential(config.VIGIL_DATABASE_URL, credential);
    const refused = await refusedLogin({ ...settings, application_name: name }, credential);
    if (refused) throw new Error(`${purpose}: ${refused}`);
    const pool = poolOf(settings, name);
    credential.onChange(() => {
      // The password is read per connection; a new username must reach the options new clients are made from.
      const username = credential.has('username') ? credential.get('username') : undefined;
      if (!username || !credential.has('password')) {
        logger.error({ path, version: credential.version }, 'the rotated database credential lacks username or password: new connections will fail until it is fixed in the vault');
        return;
      }
      pool.options.user = username;
      logger.info({ path, version: credential.version, username }, 'database credential rotated: new connections use it');
    });
    logger.info({ path, version: credential.version, username: credential.get('username') }, 'database credential read from the vault');
    const opened = vault;
    return {
      pool,
      close: async () => {
        await pool.end();
        await opened.close();
      },
    };
  } catch (error) {
    await vault?.close().catch(() => undefined);
    const message = (error as Error).message;
    throw new Error(message.startsWith(purpose) ? message : `${purpose}: cannot read the database credential: ${message}`);
  }
}

/**
 * The service's pg Pool as PG_POOL, ended when the service stops. From VIGIL_DATABASE_URL;
 * with VIGIL_DATABASE_VAULT_PATH set, its username and password come from the vault
 * (`withVaultAccess`), followed through rotations. Plain `PostgresModule` refuses that path:
 * a service that cannot use the vault for it (the vault itself) says so at start-up.
 */
@Module({
  providers: [
    {
      provide: PG_CONNECTION,
      inject: [SERVICE_CONFIG, SERVICE_NAME, SERVICE_LOGGER, { token: VAULT_ACCESS_OF, optional: true }],
      useFactory: connect,
    },
    { provide: PG_POOL, inject: [PG_CONNECTION], useFactory: (connection: PgConnection) => connection.pool },
  ],
  exports: [PG_POOL],
})
export class PostgresModule implements OnApplicationShutdown {
  constructor(@Inject(PG_CONNECTION) private readonly connection: PgConnection) {}

  /**
   * PostgresModule for a service that can read its database credential from the vault when
   * VIGIL_DATABASE_VAULT_PATH is set: `accessOf` maps its settings to the vault URL and its
   * service account (e.g. VIGIL_ALERTER_VAULT_URL, VIGIL_ALERTER_CLIENT_SECRET_FILE).
   */
  static withVaultAccess<C extends BaseServiceConfig>(accessOf: (config: C) => ServiceVaultAccess): DynamicModule {
    return { module: PostgresModule, providers: [{ provide: VAULT_ACCESS_OF, useValue: accessOf }] };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.connection.close();
  }
}

import { FactoryProvider } from '@nestjs/common';
import { HealthCheck, postgresHealthCheck } from '@vigil/observability';
import { HEALTH_CHECKS, KAFKA_HEALTH_CHECKS, PG_POOL } from '@vigil/service';
import type { Pool } from 'pg';
import { VaultKeyring } from './keyring/vault-keyring';

/** Ready when unsealed and its database and Kafka answer: a broker, its topics, and the schema registry when VIGIL_SCHEMA_REGISTRY_URL is set. */
export const vaultHealthChecks: FactoryProvider<HealthCheck[]> = {
  provide: HEALTH_CHECKS,
  inject: [PG_POOL, KAFKA_HEALTH_CHECKS, VaultKeyring],
  useFactory: (pool: Pool, kafka: HealthCheck[], keyring: VaultKeyring) => [sealCheck(keyring), postgresHealthCheck(pool), ...kafka],
};

function sealCheck(keyring: VaultKeyring): HealthCheck {
  return {
    name: 'vault',
    check: async () => {
      const status = keyring.sealStatus;
      if (status.sealed) throw new Error(`sealed: ${status.reason}`);
    },
  };
}

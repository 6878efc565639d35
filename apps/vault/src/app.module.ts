import { Module } from '@nestjs/common';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule } from '@vigil/service';
import { accessPolicyProvider } from './access/access.providers';
import { VaultGate } from './access/vault-gate';
import { VaultAudit } from './audit/vault-audit';
import { KeyringController } from './http/keyring.controller';
import { LeasesController } from './http/leases.controller';
import { SecretsController } from './http/secrets.controller';
import { SysController } from './http/sys.controller';
import { TransitController } from './http/transit.controller';
import { KeyringAdmin } from './keyring/keyring-admin.service';
import { VaultKeyring } from './keyring/vault-keyring';
import { LeaseService } from './leases/lease.service';
import { SecretsService } from './secrets/secrets.service';
import { TransitService } from './transit/transit.service';
import { VaultBootstrap } from './vault.bootstrap';
import { vaultHealthChecks } from './vault.health';
import { VaultMetrics } from './vault.metrics';

@Module({
  imports: [
    PostgresModule,
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [], produces: [TOPICS.auditEvents, TOPICS.securityIncidents] }),
  ],
  controllers: [SecretsController, TransitController, LeasesController, KeyringController, SysController],
  providers: [vaultHealthChecks, VaultMetrics, VaultKeyring, KeyringAdmin, VaultAudit, accessPolicyProvider, VaultGate, LeaseService, SecretsService, TransitService, VaultBootstrap],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

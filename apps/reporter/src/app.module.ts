import { Module } from '@nestjs/common';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule } from '@vigil/service';
import { reporterVaultAccess } from './reporter.config';
import { reporterHealthChecks } from './reporter.health';

@Module({
  imports: [
    // VIGIL_DATABASE_VAULT_PATH set: its database credential from the vault, as its service account.
    PostgresModule.withVaultAccess(reporterVaultAccess),
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [TOPICS.complianceAlerts, TOPICS.marketOrders, TOPICS.auditCheckpoints], produces: [TOPICS.reportsGenerated, TOPICS.auditEvents] }),
  ],
  providers: [reporterHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

import { Module } from '@nestjs/common';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule } from '@vigil/service';
import { vaultHealthChecks } from './vault.health';

@Module({
  imports: [
    PostgresModule,
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [], produces: [TOPICS.auditEvents, TOPICS.securityIncidents] }),
  ],
  providers: [vaultHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

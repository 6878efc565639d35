import { Module } from '@nestjs/common';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule } from '@vigil/service';
import { alerterHealthChecks } from './alerter.health';

@Module({
  imports: [
    PostgresModule,
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [TOPICS.complianceAlerts, TOPICS.securityIncidents], produces: [TOPICS.auditEvents] }),
  ],
  providers: [alerterHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

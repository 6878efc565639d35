import { Module } from '@nestjs/common';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule } from '@vigil/service';
import { authGatewayHealthChecks } from './auth-gateway.health';

@Module({
  imports: [
    PostgresModule,
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [], produces: [TOPICS.auditEvents, TOPICS.securityIncidents] }),
  ],
  providers: [authGatewayHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

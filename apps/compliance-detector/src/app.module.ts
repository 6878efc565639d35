import { Module } from '@nestjs/common';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, RedisModule } from '@vigil/service';
import { complianceDetectorHealthChecks } from './compliance-detector.health';

@Module({
  imports: [
    RedisModule,
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [TOPICS.marketOrders], produces: [TOPICS.complianceAlerts, TOPICS.auditEvents] }),
  ],
  providers: [complianceDetectorHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

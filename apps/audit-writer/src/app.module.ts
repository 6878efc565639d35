import { Module } from '@nestjs/common';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule } from '@vigil/service';
import { auditWriterHealthChecks } from './audit-writer.health';

@Module({
  imports: [
    PostgresModule,
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [TOPICS.auditEvents, TOPICS.marketOrders], produces: [TOPICS.auditCheckpoints] }),
  ],
  providers: [auditWriterHealthChecks],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

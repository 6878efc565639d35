import { Module } from '@nestjs/common';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule } from '@vigil/service';
import { LogsController } from './api/logs.controller';
import { AuditWriterConsumer } from './audit-writer.consumer';
import { auditWriterHealthChecks } from './audit-writer.health';
import { checkpointKeyProvider } from './checkpoint/checkpoint-key.provider';
import { GlobalCheckpointService } from './checkpoint/global-checkpoint.service';

@Module({
  imports: [
    PostgresModule,
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [TOPICS.auditEvents, TOPICS.marketOrders], produces: [TOPICS.auditCheckpoints, TOPICS.securityIncidents] }),
  ],
  controllers: [LogsController],
  providers: [auditWriterHealthChecks, checkpointKeyProvider, AuditWriterConsumer, GlobalCheckpointService],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

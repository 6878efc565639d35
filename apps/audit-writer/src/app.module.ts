import { Module } from '@nestjs/common';
import { AuthModule } from '@vigil/auth';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule, SERVICE_CONFIG } from '@vigil/service';
import { AuditEventSink, AuditEventSinkModule } from './api/audit-event-sink';
import { AuditSchemaMigration } from './audit-schema.migration';
import { LogsController } from './api/logs.controller';
import { AuditWriterMetrics } from './audit-writer.metrics';
import { AuditWriterConsumer } from './audit-writer.consumer';
import { auditWriterVaultAccess, type AuditWriterConfig } from './audit-writer.config';
import { auditWriterHealthChecks } from './audit-writer.health';
import { checkpointKeyProvider } from './checkpoint/checkpoint-key.provider';
import { GlobalCheckpointService } from './checkpoint/global-checkpoint.service';
import { VerificationService } from './verify/verification.service';

@Module({
  imports: [
    // VIGIL_DATABASE_VAULT_PATH set: its database credential from the vault (VIGIL_VAULT_URL), as its service account.
    PostgresModule.withVaultAccess(auditWriterVaultAccess),
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [TOPICS.auditEvents, TOPICS.marketOrders], produces: [TOPICS.auditCheckpoints, TOPICS.securityIncidents] }),
    // The gateway's tokens (JWKS), the shipped RBAC policy (auditor: audit:read, audit:export), every decision audited.
    AuditEventSinkModule,
    AuthModule.forRootAsync({
      imports: [AuditEventSinkModule],
      inject: [SERVICE_CONFIG, AuditEventSink],
      useFactory: (config: AuditWriterConfig, auditSink: AuditEventSink) => ({
        service: 'audit-writer',
        verifier: { issuer: config.VIGIL_AUDIT_AUTH_ISSUER, audience: config.VIGIL_AUDIT_AUTH_AUDIENCE, keys: { jwksUrl: config.VIGIL_AUDIT_AUTH_JWKS_URL } },
        auditSink,
      }),
    }),
  ],
  controllers: [LogsController],
  providers: [AuditSchemaMigration, auditWriterHealthChecks, checkpointKeyProvider, AuditWriterConsumer, GlobalCheckpointService, AuditWriterMetrics, VerificationService],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

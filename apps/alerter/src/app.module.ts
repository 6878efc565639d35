import { Module } from '@nestjs/common';
import { AuthModule } from '@vigil/auth';
import { TOPICS } from '@vigil/contracts';
import { HEALTH_CHECKS, KafkaModule, PostgresModule, SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService } from '@vigil/service';
import type { Logger } from 'pino';
import { alerterVaultAccess, type AlerterConfig } from './alerter.config';
import { AlerterBootstrap } from './alerter.bootstrap';
import { AlerterConsumer } from './alerter.consumer';
import { alerterHealthChecks } from './alerter.health';
import { AlerterMetrics } from './alerter.metrics';
import { AlertsController } from './api/alerts.controller';
import { IncidentsController } from './api/incidents.controller';
import { MitigationsController } from './api/mitigations.controller';
import { SilencesController } from './api/silences.controller';
import { AuditRecorder, SERVICE } from './audit/audit-recorder';
import { AuditModule } from './audit/audit.module';
import { IncidentService } from './incidents/incident.service';
import { AlertmanagerWebhookController } from './ingest/alertmanager-webhook.controller';
import { IngestService } from './ingest/ingest.service';
import { MitigationService } from './mitigations/mitigation.service';
import { ReceiverRegistry } from './receivers/receiver-registry';
import { loadVaultSecrets } from './receivers/vault-secrets';
import { Routing } from './routing/routing';
import { routingProvider } from './routing/routing.provider';
import { SilenceService } from './silences/silence.service';
import { AlerterWorker } from './worker/alerter.worker';

@Module({
  imports: [
    // VIGIL_DATABASE_VAULT_PATH set: its database credential from the vault, as its service account.
    PostgresModule.withVaultAccess(alerterVaultAccess),
    // Its topics (ARCHITECTURE.md), created at start-up; each consumed one with its .dlq.
    KafkaModule.forService({ consumes: [TOPICS.complianceAlerts, TOPICS.securityIncidents], produces: [TOPICS.auditEvents] }),
    // The gateway's tokens (JWKS), the shipped RBAC policy, every decision audited to audit.events.v1.
    AuditModule,
    AuthModule.forRootAsync({
      imports: [AuditModule],
      inject: [SERVICE_CONFIG, AuditRecorder],
      useFactory: (config: AlerterConfig, auditSink: AuditRecorder) => ({
        service: SERVICE,
        verifier: { issuer: config.VIGIL_ALERTER_AUTH_ISSUER, audience: config.VIGIL_ALERTER_AUTH_AUDIENCE, keys: { jwksUrl: config.VIGIL_ALERTER_AUTH_JWKS_URL } },
        auditSink,
      }),
    }),
  ],
  controllers: [AlertmanagerWebhookController, AlertsController, IncidentsController, MitigationsController, SilencesController],
  providers: [
    alerterHealthChecks,
    AlerterBootstrap,
    AlerterMetrics,
    routingProvider,
    {
      provide: ReceiverRegistry,
      inject: [Routing, SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService],
      // Vault secrets are read before anything is built: a missing one stops start-up naming its path.
      useFactory: async (routing: Routing, config: AlerterConfig, logger: Logger, shutdown: ShutdownService) => {
        const vault = await loadVaultSecrets(routing, {
          vaultUrl: config.VIGIL_ALERTER_VAULT_URL,
          tokenUrl: `${config.VIGIL_ALERTER_GATEWAY_URL.replace(/\/+$/, '')}/v1/auth/token`,
          clientId: config.VIGIL_ALERTER_CLIENT_ID,
          clientSecretFile: config.VIGIL_ALERTER_CLIENT_SECRET_FILE,
          logger,
        });
        if (vault) shutdown.onShutdown('vault client', () => vault.close());
        return new ReceiverRegistry(routing, vault && ((path, field) => vault.value(path, field)));
      },
    },
    IngestService,
    IncidentService,
    MitigationService,
    SilenceService,
    AlerterConsumer,
    AlerterWorker,
  ],
  exports: [HEALTH_CHECKS],
})
export class AppModule {}

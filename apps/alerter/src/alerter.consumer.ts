import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { complianceAlertsContract, securityIncidentsContract, TOPICS, type ComplianceAlert, type SecurityIncident } from '@vigil/contracts';
import { createConsumerRunner, type ConsumerRunner, type KafkaConnectionOptions } from '@vigil/kafka';
import { KafkaMetrics } from '@vigil/observability';
import { KAFKA_OPTIONS, SERVICE_LOGGER, ShutdownService, TopicBootstrap } from '@vigil/service';
import type { Logger } from 'pino';
import { fromComplianceAlert, fromSecurityIncident } from './ingest/normalized-alert';
import { IngestService } from './ingest/ingest.service';

export const ALERTER_CONSUMER_GROUP = 'vigil.alerter';

/**
 * compliance.alerts.v1 and security.incidents.v1 into the ingest path. At-least-once: a
 * batch is committed after every alert in it is stored; a redelivered one is a no-op by its
 * alertId / incidentId (IngestService).
 */
@Injectable()
export class AlerterConsumer implements OnApplicationBootstrap {
  private readonly runner: ConsumerRunner<ComplianceAlert | SecurityIncident>;

  constructor(
    @Inject(KAFKA_OPTIONS) kafka: KafkaConnectionOptions,
    @Inject(SERVICE_LOGGER) logger: Logger,
    metrics: KafkaMetrics,
    ingest: IngestService,
    private readonly topics: TopicBootstrap,
    private readonly shutdown: ShutdownService,
  ) {
    this.runner = createConsumerRunner<ComplianceAlert | SecurityIncident>({
      ...kafka,
      groupId: ALERTER_CONSUMER_GROUP,
      contracts: [complianceAlertsContract, securityIncidentsContract] as never,
      logger,
      metrics,
      handler: async (messages) => {
        await ingest.ingestAll(
          messages.map((message) =>
            message.topic.endsWith(TOPICS.complianceAlerts) ? fromComplianceAlert(message.value as ComplianceAlert) : fromSecurityIncident(message.value as SecurityIncident),
          ),
        );
      },
    });
    shutdown.onShutdown('alerter consumer', () => this.runner.stop());
  }

  onApplicationBootstrap(): void {
    void this.topics.ready.then(() => (this.shutdown.isShuttingDown ? undefined : this.runner.start()));
  }
}

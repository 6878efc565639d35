import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { complianceAlertsContract, securityIncidentsContract, TOPICS, type ComplianceAlert, type SecurityIncident } from '@vigil/contracts';
import { createConsumerRunner, type ConsumerRunner, type KafkaConnectionOptions } from '@vigil/kafka';
import { KafkaMetrics } from '@vigil/observability';
import { KAFKA_OPTIONS, SERVICE_LOGGER, ShutdownService, TopicBootstrap } from '@vigil/service';
import type { Logger } from 'pino';
import { IngestService } from './ingest/ingest.service';
import { fromComplianceAlert, fromSecurityIncident } from './ingest/normalized-alert';

export const ALERTER_CONSUMER_GROUP = 'vigil.alerter';
const RETRY_MAX_MS = 15_000;

/**
 * compliance.alerts.v1 and security.incidents.v1 into the ingest path. At-least-once: a
 * batch is committed after every alert in it is stored; a redelivered one is a no-op by its
 * alertId / incidentId (IngestService). A runner that fails to join the group (the broker
 * away) is replaced and started again with back-off, unless
 * the service is stopping.
 */
@Injectable()
export class AlerterConsumer implements OnApplicationBootstrap {
  private runner: ConsumerRunner<ComplianceAlert | SecurityIncident>;
  private markStarted!: () => void;
  /** Resolves once the runner joined its group and reads (never, if the service stops first). */
  readonly started = new Promise<void>((resolve) => (this.markStarted = resolve));

  constructor(
    @Inject(KAFKA_OPTIONS) private readonly kafka: KafkaConnectionOptions,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    private readonly metrics: KafkaMetrics,
    private readonly ingest: IngestService,
    private readonly topics: TopicBootstrap,
    private readonly shutdown: ShutdownService,
  ) {
    this.runner = this.createRunner();
    shutdown.onShutdown('alerter consumer', () => this.runner.stop());
  }

  onApplicationBootstrap(): void {
    void this.topics.ready.then(() => this.start());
  }

  /**
   * Under a topic prefix (tests), the group is prefixed too: two alerters on different prefixes
   * in one consumer group would split each other's partitions, and each would miss alerts of
   * its own topics. Without a prefix (production) it is `vigil.alerter`.
   */
  private get groupId(): string {
    return `${this.kafka.topicPrefix ?? ''}${ALERTER_CONSUMER_GROUP}`;
  }

  private createRunner(): ConsumerRunner<ComplianceAlert | SecurityIncident> {
    return createConsumerRunner<ComplianceAlert | SecurityIncident>({
      ...this.kafka,
      groupId: this.groupId,
      contracts: [complianceAlertsContract, securityIncidentsContract] as never,
      logger: this.logger,
      metrics: this.metrics,
      handler: async (messages) => {
        await this.ingest.ingestAll(
          messages.map((message) =>
            message.topic.endsWith(TOPICS.complianceAlerts) ? fromComplianceAlert(message.value as ComplianceAlert) : fromSecurityIncident(message.value as SecurityIncident),
          ),
        );
      },
    });
  }

  private async start(): Promise<void> {
    for (let delay = 500; !this.shutdown.isShuttingDown; delay = Math.min(delay * 2, RETRY_MAX_MS)) {
      try {
        await this.runner.start();
        this.markStarted();
        return;
      } catch (error) {
        if (this.shutdown.isShuttingDown) return;
        this.logger.warn({ err: error, groupId: this.groupId, retryInMs: delay }, 'alerter consumer could not start, retrying');
        await this.runner.stop().catch(() => undefined);
        this.runner = this.createRunner();
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
      }
    }
  }
}

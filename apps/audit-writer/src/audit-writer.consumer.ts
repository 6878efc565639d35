import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { auditCheckpointsContract, auditEventsContract, marketOrdersContract, securityIncidentsContract, type AuditEvent, type MarketOrderEvent } from '@vigil/contracts';
import { createConsumerRunner, EventProducer, type ConsumerRunner, type KafkaConnectionOptions } from '@vigil/kafka';
import { KafkaMetrics } from '@vigil/observability';
import { KAFKA_OPTIONS, PG_POOL, SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService, TopicBootstrap } from '@vigil/service';
import type { Pool } from 'pg';
import type { Logger } from 'pino';
import type { AuditWriterConfig } from './audit-writer.config';
import { AuditWriterMetrics } from './audit-writer.metrics';
import { CHECKPOINT_KEY } from './checkpoint/checkpoint.constants';
import type { CheckpointSigning } from './checkpoint/checkpoint-signing';
import { LogAppender, type CommittedCheckpoint } from './log/log-appender';
import { integrityIncident, LogIntegrityError } from './verify/integrity-incident';

export const AUDIT_WRITER_CONSUMER_GROUP = 'vigil.audit-writer';

/**
 * Consumes audit.events.v1 and market.orders.v1 into the partition logs. Each batch is
 * appended (LogAppender: one Postgres transaction per partition, offsets included) before
 * the handler returns, so the runner's Kafka commit that follows is only an optimisation;
 * then the new checkpoints are published on audit.checkpoints.
 */
@Injectable()
export class AuditWriterConsumer implements OnApplicationBootstrap {
  private readonly runner: ConsumerRunner<AuditEvent | MarketOrderEvent>;
  private readonly appender: LogAppender;

  constructor(
    @Inject(KAFKA_OPTIONS) kafka: KafkaConnectionOptions,
    @Inject(SERVICE_CONFIG) config: AuditWriterConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CHECKPOINT_KEY) signing: CheckpointSigning,
    metrics: KafkaMetrics,
    private readonly producer: EventProducer,
    private readonly topics: TopicBootstrap,
    private readonly shutdown: ShutdownService,
    private readonly ownMetrics: AuditWriterMetrics,
  ) {
    this.appender = new LogAppender({
      pool,
      signing,
      groupId: AUDIT_WRITER_CONSUMER_GROUP,
      topicPrefix: kafka.topicPrefix ?? '',
      originPrefix: config.VIGIL_AUDIT_ORIGIN_PREFIX,
      role: config.VIGIL_AUDIT_DB_ROLE,
    });
    this.runner = createConsumerRunner<AuditEvent | MarketOrderEvent>({
      ...kafka,
      // Prefixed like the topics, so a deployment (or a test) with its own prefix never shares a
      // Kafka group with another; the Postgres offsets are keyed by the prefixed topic anyway.
      groupId: `${kafka.topicPrefix ?? ''}${AUDIT_WRITER_CONSUMER_GROUP}`,
      contracts: [auditEventsContract, marketOrdersContract] as never,
      logger,
      metrics,
      maxBatchMessages: config.VIGIL_AUDIT_MAX_BATCH_MESSAGES,
      maxBatchBytes: config.VIGIL_AUDIT_MAX_BATCH_BYTES,
      // Fetching goes on while a batch is in Postgres, so the next one is waiting when it commits.
      maxInFlightMessages: config.VIGIL_AUDIT_MAX_BATCH_MESSAGES * 4,
      maxInFlightBytes: config.VIGIL_AUDIT_MAX_BATCH_BYTES * 4,
      maxWaitMs: config.VIGIL_AUDIT_MAX_WAIT,
      handler: async (messages) => {
        try {
          const checkpoints = await this.appender.append(messages);
          this.ownMetrics.entriesAppended.inc(checkpoints.reduce((sum, c) => sum + c.appended, 0));
          await this.publish(checkpoints);
        } catch (error) {
          // A tampered log is not extended: the batch is retried (with back-off) and held until
          // someone investigates; the incident is raised once per log and process.
          if (error instanceof LogIntegrityError) await this.raiseIncident(error);
          throw error;
        }
      },
    });
    shutdown.onShutdown('audit-writer consumer', () => this.runner.stop());
  }

  onApplicationBootstrap(): void {
    // Its topics exist once TopicBootstrap is ready; a service already stopping does not start it.
    void this.topics.ready
      .then(() => this.pool.query('select audit.ensure_entry_partitions(2)'))
      .then(() => (this.shutdown.isShuttingDown ? undefined : this.runner.start()))
      .catch((error: unknown) => this.logger.error({ err: error }, 'audit-writer consumer did not start'));
  }

  private readonly reported = new Set<string>();

  private async raiseIncident(error: LogIntegrityError): Promise<void> {
    if (this.reported.has(error.logId)) return;
    this.ownMetrics.integrityViolations.inc();
    this.logger.error({ logId: error.logId, treeSize: error.treeSize, problem: error.problem }, 'audit log integrity violation: appending to it stopped');
    try {
      await this.producer.send(securityIncidentsContract, [integrityIncident({ logId: error.logId, treeSize: error.treeSize, problem: error.problem, detectedBy: 'audit-writer' })]);
      this.reported.add(error.logId);
    } catch (publishError) {
      this.logger.error({ err: publishError }, 'AUDIT_INTEGRITY_VIOLATION could not be published; retrying with the batch');
    }
  }

  /**
   * The checkpoints are already committed with their entries; publishing is a notification.
   * A failure is logged, not retried: the next batch publishes a newer checkpoint, and the
   * API serves the stored ones.
   */
  private async publish(checkpoints: CommittedCheckpoint[]): Promise<void> {
    if (checkpoints.length === 0) return;
    try {
      await this.producer.send(
        auditCheckpointsContract,
        checkpoints.map((c) => ({ origin: c.origin, logId: c.logId, treeSize: c.treeSize, rootHash: c.rootHash.toString('base64'), timestamp: c.createdAt.toISOString(), note: c.note })),
      );
    } catch (error) {
      this.logger.warn({ err: error, logs: checkpoints.map((c) => c.logId) }, 'checkpoints stored but not published on audit.checkpoints');
    }
  }
}

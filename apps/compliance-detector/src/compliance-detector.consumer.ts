import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { complianceAlertsContract, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { createConsumerRunner, EventProducer, readBack, type ConsumerRunner, type KafkaConnectionOptions } from '@vigil/kafka';
import { KafkaMetrics } from '@vigil/observability';
import { KAFKA_OPTIONS, SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService, TopicBootstrap } from '@vigil/service';
import type { Logger } from 'pino';
import type { ComplianceDetectorConfig } from './compliance-detector.config';
import { AlertPublisher } from './detection/alert-publisher';
import { Detector, type Detection } from './detection/detector';
import { DetectorMetrics } from './detector.metrics';

export const COMPLIANCE_DETECTOR_CONSUMER_GROUP = 'vigil.compliance-detector';

/**
 * Consumes market.orders.v1 into the detector and produces what it raises on
 * compliance.alerts.v1, before the runner commits the batch's offsets:
 * detect (Redis: load, save state + new alerts in the outbox) → produce → confirm (outbox
 * cleared) → the runner commits. A crash anywhere in between re-delivers the batch: its
 * events are then duplicates or late (state is in Redis), and the alerts still in the
 * outbox are handed out again; AlertPublisher reads compliance.alerts.v1 back before
 * producing those, so one that went out before a crash between produce and confirm is not
 * published twice.
 *
 * The idle flush (VIGIL_DETECTOR_IDLE_FLUSH_AFTER) runs on a timer between batches: it moves
 * on the event time of instruments no event reached for a while and publishes what that closes
 * the same way (no offsets to commit: its alerts wait in the outbox until confirmed).
 */
@Injectable()
export class ComplianceDetectorConsumer implements OnApplicationBootstrap {
  private readonly runner: ConsumerRunner<MarketOrderEvent>;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleRunning = false;
  private readonly publisher: AlertPublisher;

  constructor(
    @Inject(KAFKA_OPTIONS) kafka: KafkaConnectionOptions,
    @Inject(SERVICE_CONFIG) config: ComplianceDetectorConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    metrics: KafkaMetrics,
    detector: Detector,
    producer: EventProducer,
    detectorMetrics: DetectorMetrics,
    private readonly topics: TopicBootstrap,
    private readonly shutdown: ShutdownService,
  ) {
    this.publisher = new AlertPublisher(
      producer,
      async (sinceMs) => (await readBack({ ...kafka, clientId: `${kafka.clientId}-read-back`, contract: complianceAlertsContract, sinceMs })).values,
      {
        skipped: (count) => detectorMetrics.resentAlreadyPublished.inc(count),
        readBackFailed: (error, resent) =>
          logger.warn({ err: error, resent }, 'could not read compliance.alerts.v1 back to check re-sent alerts; producing them (receivers dedupe on the fingerprint)'),
      },
    );
    this.runner = createConsumerRunner<MarketOrderEvent>({
      ...kafka,
      // Prefixed like its topics: detectors of different prefixes (tests, replays side by side) in one
      // group would split each other's partitions and never see part of their own. No prefix: vigil.compliance-detector.
      groupId: `${kafka.topicPrefix ?? ''}${COMPLIANCE_DETECTOR_CONSUMER_GROUP}`,
      contracts: [marketOrdersContract],
      logger,
      metrics,
      maxBatchMessages: config.VIGIL_DETECTOR_MAX_BATCH_MESSAGES,
      // detect → produce → confirm as one exclusive step, so the idle flush never runs in between.
      handler: (messages) => detector.exclusive(() => this.publish(detector.detect(messages.map((m) => m.value)))),
    });
    const idleAfterMs = config.VIGIL_DETECTOR_IDLE_FLUSH_AFTER;
    if (idleAfterMs > 0) {
      // Checked a few times per idle period; a failure is logged and tried again at the next tick.
      this.idleTimer = setInterval(() => {
        if (this.idleRunning || this.shutdown.isShuttingDown) return;
        this.idleRunning = true;
        detector
          .exclusive(() => this.publish(detector.flushIdle(idleAfterMs)))
          .catch((error: unknown) => this.logger.warn({ err: error }, 'idle flush failed; tried again at the next tick'))
          .finally(() => (this.idleRunning = false));
      }, Math.max(100, Math.min(1_000, idleAfterMs / 2)));
      this.idleTimer.unref();
    }
    // The runner's stop() waits for a start still joining the group before it closes.
    shutdown.onShutdown('compliance-detector consumer', async () => {
      if (this.idleTimer) clearInterval(this.idleTimer);
      await this.runner.stop();
    });
  }

  private async publish(detecting: Promise<Detection>): Promise<void> {
    await this.publisher.publish(await detecting);
  }

  onApplicationBootstrap(): void {
    // Its topics exist once TopicBootstrap is ready; a service already stopping does not start it.
    void this.topics.ready
      .then(() => (this.shutdown.isShuttingDown ? undefined : this.runner.start()))
      .catch((error: unknown) => this.logger.error({ err: error }, 'compliance-detector consumer did not start'));
  }
}

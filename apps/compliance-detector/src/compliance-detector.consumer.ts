import { Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { complianceAlertsContract, marketOrdersContract, type MarketOrderEvent } from '@vigil/contracts';
import { createConsumerRunner, EventProducer, type ConsumerRunner, type KafkaConnectionOptions } from '@vigil/kafka';
import { KafkaMetrics } from '@vigil/observability';
import { KAFKA_OPTIONS, SERVICE_CONFIG, SERVICE_LOGGER, ShutdownService, TopicBootstrap } from '@vigil/service';
import type { Logger } from 'pino';
import type { ComplianceDetectorConfig } from './compliance-detector.config';
import { Detector } from './detection/detector';

export const COMPLIANCE_DETECTOR_CONSUMER_GROUP = 'vigil.compliance-detector';

/**
 * Consumes market.orders.v1 into the detector and produces what it raises on
 * compliance.alerts.v1, before the runner commits the batch's offsets:
 * detect (Redis: load, save state + new alerts in the outbox) → produce → confirm (outbox
 * cleared) → the runner commits. A crash anywhere in between re-delivers the batch: its
 * events are then duplicates or late (state is in Redis), and the alerts still in the
 * outbox are produced again; a crash between produce and confirm can so publish an alert
 * twice, with the same fingerprint and alertId, which receivers dedupe on.
 */
@Injectable()
export class ComplianceDetectorConsumer implements OnApplicationBootstrap {
  private readonly runner: ConsumerRunner<MarketOrderEvent>;

  constructor(
    @Inject(KAFKA_OPTIONS) kafka: KafkaConnectionOptions,
    @Inject(SERVICE_CONFIG) config: ComplianceDetectorConfig,
    @Inject(SERVICE_LOGGER) private readonly logger: Logger,
    metrics: KafkaMetrics,
    detector: Detector,
    producer: EventProducer,
    private readonly topics: TopicBootstrap,
    private readonly shutdown: ShutdownService,
  ) {
    this.runner = createConsumerRunner<MarketOrderEvent>({
      ...kafka,
      groupId: COMPLIANCE_DETECTOR_CONSUMER_GROUP,
      contracts: [marketOrdersContract],
      logger,
      metrics,
      maxBatchMessages: config.VIGIL_DETECTOR_MAX_BATCH_MESSAGES,
      handler: async (messages) => {
        const detection = await detector.detect(messages.map((m) => m.value));
        if (detection.alerts.length > 0) await producer.send(complianceAlertsContract, detection.alerts);
        await detection.confirm();
      },
    });
    // The runner's stop() waits for a start still joining the group before it closes.
    shutdown.onShutdown('compliance-detector consumer', () => this.runner.stop());
  }

  onApplicationBootstrap(): void {
    // Its topics exist once TopicBootstrap is ready; a service already stopping does not start it.
    void this.topics.ready
      .then(() => (this.shutdown.isShuttingDown ? undefined : this.runner.start()))
      .catch((error: unknown) => this.logger.error({ err: error }, 'compliance-detector consumer did not start'));
  }
}

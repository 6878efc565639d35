/**
 * The compliance-detector's Kafka consumer: `market.orders.v1`.
 *
 * Not wired yet, on purpose: a runner commits every batch its handler returns from, so a
 * placeholder handler would skip those events for good. The handler comes with issue 3
 * (detection rules, Redis windows, explained alerts, replay), and the runner with it,
 * wired as libs/service/README.md shows ("Where a consumer goes"): created from
 * KAFKA_OPTIONS with this group and the contracts of those topics, started once
 * TopicBootstrap.ready resolved (AppModule's KafkaModule creates the topics and their
 * .dlq), its `stop` registered with ShutdownService.onShutdown so that a SIGTERM
 * finishes and commits the batch in flight before the producer closes.
 */
export const COMPLIANCE_DETECTOR_CONSUMER_GROUP = 'vigil.compliance-detector';

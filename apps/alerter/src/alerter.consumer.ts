/**
 * The alerter's Kafka consumer: `compliance.alerts.v1`, `security.incidents.v1`.
 *
 * Not wired yet, on purpose: a runner commits every batch its handler returns from, so a
 * placeholder handler would skip those events for good. The handler comes with issue 7
 * (delivery, dedup, grouping, acknowledgement, escalation, silences, incident timeline),
 * and the runner with it, wired as libs/service/README.md shows ("Where a consumer
 * goes"): created from KAFKA_OPTIONS with this group and the contracts of those topics,
 * started once TopicBootstrap.ready resolved (AppModule's KafkaModule creates the topics
 * and their .dlq), its `stop` registered with ShutdownService.onShutdown so that a
 * SIGTERM finishes and commits the batch in flight before the producer closes.
 */
export const ALERTER_CONSUMER_GROUP = 'vigil.alerter';

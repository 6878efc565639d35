/**
 * The compliance-detector's Kafka consumer: `market.orders.v1`.
 *
 * Not wired yet. The consumer runner of @vigil/kafka goes here: created with this group
 * and the contracts of those topics, started when the app starts, and its `stop`
 * registered with ShutdownService.onShutdown so a SIGTERM finishes and commits the batch
 * in flight. What the handler does comes with issue 3 (detection rules, Redis windows,
 * explained alerts, replay).
 */
export const COMPLIANCE_DETECTOR_CONSUMER_GROUP = 'vigil.compliance-detector';

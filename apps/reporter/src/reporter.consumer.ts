/**
 * The reporter's Kafka consumer: `compliance.alerts.v1`, `market.orders.v1`,
 * `audit.checkpoints`.
 *
 * Not wired yet. The consumer runner of @vigil/kafka goes here: created with this group
 * and the contracts of those topics, started when the app starts, and its `stop`
 * registered with ShutdownService.onShutdown so a SIGTERM finishes and commits the batch
 * in flight. What the handler does comes with a later issue (none is filed for the
 * reporter yet).
 */
export const REPORTER_CONSUMER_GROUP = 'vigil.reporter';

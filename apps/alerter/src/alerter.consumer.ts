/**
 * The alerter's Kafka consumer: `compliance.alerts.v1`, `security.incidents.v1`.
 *
 * Not wired yet. The consumer runner of @vigil/kafka goes here: created with this group
 * and the contracts of those topics, started when the app starts, and its `stop`
 * registered with ShutdownService.onShutdown so a SIGTERM finishes and commits the batch
 * in flight. What the handler does comes with issue 7 (delivery, dedup, grouping,
 * acknowledgement, escalation, silences, incident timeline).
 */
export const ALERTER_CONSUMER_GROUP = 'vigil.alerter';

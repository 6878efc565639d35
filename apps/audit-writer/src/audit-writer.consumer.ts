/**
 * The audit-writer's Kafka consumer: `audit.events.v1`, `market.orders.v1`.
 *
 * Not wired yet. The consumer runner of @vigil/kafka goes here: created with this group
 * and the contracts of those topics, started when the app starts, and its `stop`
 * registered with ShutdownService.onShutdown so a SIGTERM finishes and commits the batch
 * in flight. What the handler does comes with issue 4 (Merkle log, signed checkpoints,
 * proofs, offline verifier).
 */
export const AUDIT_WRITER_CONSUMER_GROUP = 'vigil.audit-writer';

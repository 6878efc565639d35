/**
 * Base topic names (CONTRACTS.md). A deployment may prefix them (VIGIL_TOPIC_PREFIX):
 * the real topic is `${prefix}${TOPICS.x}`; `contractFor` matches on the suffix.
 */
export const TOPICS = {
  marketOrders: 'market.orders.v1',
  complianceAlerts: 'compliance.alerts.v1',
  auditEvents: 'audit.events.v1',
  securityIncidents: 'security.incidents.v1',
  /** Vigil-internal (see libs/contracts/README.md). */
  auditCheckpoints: 'audit.checkpoints',
  /** Vigil-internal (see libs/contracts/README.md). */
  reportsGenerated: 'reports.generated',
} as const;

export type TopicName = (typeof TOPICS)[keyof typeof TOPICS];

/** Every consumed topic `T` has a dead-letter topic `T.dlq` (works on prefixed names too). */
export function dlqTopicOf(topic: string): string {
  return `${topic}.dlq`;
}

/** Headers a dead letter carries besides the original key, value and headers. */
export const DLQ_HEADERS = {
  error: 'x-error',
  sourceTopic: 'x-source-topic',
  sourcePartition: 'x-source-partition',
  sourceOffset: 'x-source-offset',
} as const;

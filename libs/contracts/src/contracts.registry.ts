import type { Contract } from './contract';
import { type AuditCheckpoint, auditCheckpointsContract } from './audit-checkpoints';
import { type AuditEvent, auditEventsContract } from './audit-events.v1';
import { type ComplianceAlert, complianceAlertsContract } from './compliance-alerts.v1';
import { type MarketOrderEvent, marketOrdersContract } from './market-orders.v1';
import { type ReportGenerated, reportsGeneratedContract } from './reports-generated';
import { type SecurityIncident, securityIncidentsContract } from './security-incidents.v1';
import { TOPICS, type TopicName } from './topics.constants';

/** The typed value carried by each base topic. */
export interface TopicValues {
  [TOPICS.marketOrders]: MarketOrderEvent;
  [TOPICS.complianceAlerts]: ComplianceAlert;
  [TOPICS.auditEvents]: AuditEvent;
  [TOPICS.securityIncidents]: SecurityIncident;
  [TOPICS.auditCheckpoints]: AuditCheckpoint;
  [TOPICS.reportsGenerated]: ReportGenerated;
}

/** Every topic's contract by base topic name. */
export const CONTRACTS: { readonly [T in TopicName]: Contract<TopicValues[T]> } = {
  [TOPICS.marketOrders]: marketOrdersContract,
  [TOPICS.complianceAlerts]: complianceAlertsContract,
  [TOPICS.auditEvents]: auditEventsContract,
  [TOPICS.securityIncidents]: securityIncidentsContract,
  [TOPICS.auditCheckpoints]: auditCheckpointsContract,
  [TOPICS.reportsGenerated]: reportsGeneratedContract,
};

// Longest first, so a base name that ends another (none today) can never shadow it.
const BASE_NAMES = (Object.keys(CONTRACTS) as TopicName[]).sort((a, b) => b.length - a.length);

/**
 * The contract of a topic given its base name or a prefixed name (`t1a2b.market.orders.v1`,
 * see VIGIL_TOPIC_PREFIX); undefined when no contract's base name ends the topic name.
 * Dead-letter topics (`*.dlq`) have no contract of their own.
 */
export function findContract(topic: string): Contract<unknown> | undefined {
  const base = BASE_NAMES.find((name) => topic.endsWith(name));
  return base === undefined ? undefined : CONTRACTS[base];
}

/** Like findContract, but throws naming the topic and the known topics when there is none. */
export function contractFor<T extends TopicName>(topic: T): Contract<TopicValues[T]>;
export function contractFor(topic: string): Contract<unknown>;
export function contractFor(topic: string): Contract<unknown> {
  const contract = findContract(topic);
  if (!contract) {
    throw new Error(
      `no contract for topic "${topic}": its name must end with one of ${BASE_NAMES.join(', ')} (after any VIGIL_TOPIC_PREFIX)`,
    );
  }
  return contract;
}

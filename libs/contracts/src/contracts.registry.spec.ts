import { CONTRACTS, contractFor, findContract } from './contracts.registry';
import { exampleOrderEvent } from './testing';
import { DLQ_HEADERS, dlqTopicOf, TOPICS } from './topics.constants';

describe('topic names and the contract registry', () => {
  it('names the topics of CONTRACTS.md and the two internal ones', () => {
    expect(TOPICS).toEqual({
      marketOrders: 'market.orders.v1',
      complianceAlerts: 'compliance.alerts.v1',
      auditEvents: 'audit.events.v1',
      securityIncidents: 'security.incidents.v1',
      auditCheckpoints: 'audit.checkpoints',
      reportsGenerated: 'reports.generated',
    });
  });

  it('names dead-letter topics and headers as CONTRACTS.md does', () => {
    expect(dlqTopicOf('market.orders.v1')).toBe('market.orders.v1.dlq');
    expect(dlqTopicOf('t1a2b.market.orders.v1')).toBe('t1a2b.market.orders.v1.dlq');
    expect(DLQ_HEADERS).toEqual({
      error: 'x-error',
      sourceTopic: 'x-source-topic',
      sourcePartition: 'x-source-partition',
      sourceOffset: 'x-source-offset',
    });
  });

  it('has one contract per topic, each under its own topic name', () => {
    expect(Object.keys(CONTRACTS).sort()).toEqual(Object.values(TOPICS).sort());
    for (const [topic, contract] of Object.entries(CONTRACTS)) expect(contract.topic).toBe(topic);
  });

  it.each(Object.values(TOPICS))('finds %s by its base name and with a test prefix', (topic) => {
    expect(contractFor(topic)).toBe(CONTRACTS[topic]);
    expect(contractFor(`t1a2b.${topic}`)).toBe(CONTRACTS[topic]);
    expect(findContract(`prod-eu-${topic}`)).toBe(CONTRACTS[topic]);
  });

  it('types the contract by base topic name', () => {
    const event = contractFor('market.orders.v1').parse(exampleOrderEvent());
    expect(event.instrument).toBe('GB00B03MLX29');
  });

  it.each(['market.orders.v2', 'market.orders.v1.dlq', 'orders', '', 'market.orders.v1x'])(
    'has no contract for "%s"',
    (topic) => {
      expect(findContract(topic)).toBeUndefined();
      expect(() => contractFor(topic)).toThrow(`no contract for topic "${topic}"`);
    },
  );
});

import { baseServiceConfig, loadConfig } from '@vigil/config';
import { TOPICS } from '@vigil/contracts';
import { kafkaHealthChecks } from './kafka.health';
import { kafkaOptionsOf, topicSpecsOf } from './kafka.module';

describe('kafkaOptionsOf', () => {
  it('takes brokers, client id, topic prefix and registry URL from the service config', () => {
    const config = loadConfig(baseServiceConfig('alerter', 8103), {
      VIGIL_KAFKA_BROKERS: 'k1:9092,k2:9092',
      VIGIL_TOPIC_PREFIX: 't1.',
      VIGIL_SCHEMA_REGISTRY_URL: 'http://reg:8081/apis/ccompat/v7',
    });
    expect(kafkaOptionsOf(config)).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
      clientId: 'alerter',
      topicPrefix: 't1.',
      registryUrl: 'http://reg:8081/apis/ccompat/v7',
    });
    expect(kafkaOptionsOf(loadConfig(baseServiceConfig('vault', 8101), {}))).toEqual({
      brokers: ['127.0.0.1:9092'],
      clientId: 'vault',
      topicPrefix: '',
      registryUrl: undefined,
    });
  });
});

describe('topicSpecsOf', () => {
  it('gives each consumed topic a dead-letter topic and libs/kafka default layout, under the prefix', () => {
    const specs = topicSpecsOf({ consumes: [TOPICS.complianceAlerts, TOPICS.securityIncidents], produces: [TOPICS.auditEvents] }, 't1.');
    expect(specs.map(({ name, partitions, withDeadLetter }) => ({ name, partitions, withDeadLetter }))).toEqual([
      { name: 't1.compliance.alerts.v1', partitions: 6, withDeadLetter: true },
      { name: 't1.security.incidents.v1', partitions: 3, withDeadLetter: true },
      { name: 't1.audit.events.v1', partitions: 6, withDeadLetter: false },
    ]);
  });

  it('lists a topic that is both consumed and produced once, with its dead-letter topic', () => {
    const specs = topicSpecsOf({ consumes: [TOPICS.auditEvents], produces: [TOPICS.auditEvents, TOPICS.auditEvents] }, '');
    expect(specs).toEqual([expect.objectContaining({ name: 'audit.events.v1', withDeadLetter: true })]);
  });
});

describe('kafkaHealthChecks', () => {
  const up = { ping: async () => undefined };
  const ready = { assertReady: () => undefined };

  it('checks the broker and, only with a registry URL, the registry', () => {
    expect(kafkaHealthChecks(up, ready, {}).map((c) => c.name)).toEqual(['kafka']);
    expect(kafkaHealthChecks(up, ready, { registryUrl: 'http://reg/apis/ccompat/v7' }).map((c) => c.name)).toEqual(['kafka', 'schema-registry']);
  });

  it('fails kafka while the broker does not answer, or answers but the topics are not created yet', async () => {
    const down = { ping: async () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:9092')) };
    await expect(kafkaHealthChecks(down, ready, {})[0].check()).rejects.toThrow('ECONNREFUSED');
    const pending = {
      assertReady: () => {
        throw new Error('topics not created yet, retrying: timeout');
      },
    };
    await expect(kafkaHealthChecks(up, pending, {})[0].check()).rejects.toThrow('topics not created yet');
    await expect(kafkaHealthChecks(up, ready, {})[0].check()).resolves.toBeUndefined();
  });
});

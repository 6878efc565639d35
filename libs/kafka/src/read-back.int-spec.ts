import { complianceAlertsContract, exampleComplianceAlert } from '@vigil/contracts';
import { testInfra, testPrefix, type InfraEnv } from '@vigil/testing';
import { testLogger } from '../test-support/kafka-test-helpers';
import { KafkaAdmin } from './kafka-admin';
import { createEventProducer, readBack } from './kafka.factory';
import { defaultTopicSpec } from './topic-bootstrap';

// Reading a topic back from a point in time against the real broker: what a recovery check
// ("did this alert already go out?") relies on.
describe('readBack against the real broker', () => {
  let infra: InfraEnv;
  let stopInfra: () => Promise<void>;
  let admin: KafkaAdmin;
  const prefix = testPrefix();

  beforeAll(async () => {
    ({ infra, stop: stopInfra } = await testInfra(['kafka']));
    admin = new KafkaAdmin({ brokers: infra.kafkaBrokers, clientId: 'kafka-int' });
    await admin.ensureTopics([defaultTopicSpec('compliance.alerts.v1', { topicPrefix: prefix })], testLogger());
  });

  afterAll(async () => {
    await admin?.close();
    await stopInfra?.();
  });

  const connection = () => ({ brokers: infra.kafkaBrokers, clientId: 'kafka-int', topicPrefix: prefix });
  const alert = (n: number) => exampleComplianceAlert({ alertId: `read-back-${n}`, fingerprint: `fp-${n}` });

  it('returns every record from the given time to the end, across partitions, and nothing before it', async () => {
    const producer = createEventProducer(connection());
    try {
      expect((await readBack({ ...connection(), contract: complianceAlertsContract, sinceMs: Date.now() - 60_000 })).values).toEqual([]);
      await producer.send(complianceAlertsContract, Array.from({ length: 20 }, (_, i) => alert(i)));
      await new Promise((resolve) => setTimeout(resolve, 50));
      const since = Date.now();
      await producer.send(complianceAlertsContract, Array.from({ length: 30 }, (_, i) => alert(100 + i)));
      const later = await readBack({ ...connection(), contract: complianceAlertsContract, sinceMs: since });
      expect(later.values.map((a) => a.alertId).sort()).toEqual(Array.from({ length: 30 }, (_, i) => `read-back-${100 + i}`).sort());
      expect(later.undecodable).toBe(0);
      const all = await readBack({ ...connection(), contract: complianceAlertsContract, sinceMs: since - 60_000 });
      expect(all.values).toHaveLength(50);
      // Keyed by fingerprint: the records are spread over the topic's partitions (6), and all are read.
      expect(new Set(all.values.map((a) => a.fingerprint)).size).toBe(50);
      expect((await readBack({ ...connection(), contract: complianceAlertsContract, sinceMs: Date.now() + 60_000 })).values).toEqual([]);
    } finally {
      await producer.close();
    }
  });
});

import { exampleOrderEvent, marketOrdersContract } from '@vigil/contracts';
import { infraEnv, testPrefix } from '@vigil/testing';
import { createEventProducer, KafkaAdmin, SendDeadlineExceeded, silentLogger } from './index';

// The real client: against a port where no broker listens, a send with a deadline fails
// within it (instead of retrying for minutes); against the real broker it is unchanged.
describe('EventProducer.send deadline', () => {
  it('fails within timeoutMs when no broker answers', async () => {
    const producer = createEventProducer({ brokers: ['127.0.0.1:1'], clientId: 'deadline-test' });
    try {
      const started = Date.now();
      const error = await producer.send(marketOrdersContract, [exampleOrderEvent()], { timeoutMs: 500 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SendDeadlineExceeded);
      expect((error as Error).message).toContain('no acknowledgement within 500 ms');
      // Not a speed assertion: the bound is the point of the option (without it the client retries far longer).
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await producer.close().catch(() => undefined);
    }
  });

  it('sends normally with a deadline against the real broker', async () => {
    const infra = infraEnv();
    const prefix = testPrefix();
    const admin = new KafkaAdmin({ brokers: infra.kafkaBrokers, clientId: 'deadline-test' });
    const producer = createEventProducer({ brokers: infra.kafkaBrokers, clientId: 'deadline-test', topicPrefix: prefix });
    try {
      await admin.ensureTopics([{ name: `${prefix}${marketOrdersContract.topic}`, partitions: 1, withDeadLetter: false }], silentLogger);
      await expect(producer.send(marketOrdersContract, [exampleOrderEvent()], { timeoutMs: 10_000, signal: new AbortController().signal })).resolves.toBeUndefined();
    } finally {
      await producer.close();
      await admin.close();
    }
  });
});

import { checkConnectionOptions, prefixedTopic } from './kafka-options';
import { kafkaBrokerCheck } from './kafka.health';

describe('checkConnectionOptions', () => {
  it('accepts host:port brokers and a client id', () => {
    expect(() => checkConnectionOptions({ brokers: ['127.0.0.1:9092', 'kafka-1.internal:19092'], clientId: 'vault' })).not.toThrow();
  });

  it.each([
    [{ brokers: [], clientId: 'x' }, '"brokers" must list at least one host:port'],
    [{ brokers: ['127.0.0.1'], clientId: 'x' }, 'broker "127.0.0.1" is not host:port'],
    [{ brokers: ['127.0.0.1:9092'], clientId: '' }, '"clientId" must be a non-empty string'],
  ])('names what is wrong in %j', (options, message) => {
    expect(() => checkConnectionOptions(options)).toThrow(message);
  });
});

describe('prefixedTopic', () => {
  it('prepends the prefix when there is one', () => {
    expect(prefixedTopic('t1a2b3.', 'market.orders.v1')).toBe('t1a2b3.market.orders.v1');
    expect(prefixedTopic(undefined, 'market.orders.v1')).toBe('market.orders.v1');
  });
});

describe('kafkaBrokerCheck', () => {
  it('is a HealthCheck named kafka that pings with its timeout', async () => {
    const timeouts: number[] = [];
    const check = kafkaBrokerCheck({ ping: async (timeoutMs) => void timeouts.push(timeoutMs) }, 1500);
    expect(check.name).toBe('kafka');
    await check.check();
    expect(timeouts).toEqual([1500]);
    const failing = kafkaBrokerCheck({ ping: async () => Promise.reject(new Error('no broker')) });
    await expect(failing.check()).rejects.toThrow('no broker');
  });
});

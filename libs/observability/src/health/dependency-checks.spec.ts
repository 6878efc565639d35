import { EventEmitter } from 'node:events';
import { kafkaHealthCheck } from './kafka.health';
import { postgresHealthCheck } from './postgres.health';
import { Pingable, redisHealthCheck } from './redis.health';

// Fakes of the client interfaces the checks use; the real servers are in health-checks.int-spec.ts.

class FakeRedis extends EventEmitter implements Pingable {
  status = 'ready';
  pingResult: () => Promise<string> = async () => 'PONG';
  ping() {
    return this.pingResult();
  }
}

describe('postgresHealthCheck', () => {
  it('passes when select 1 answers', async () => {
    const query = jest.fn().mockResolvedValue({ rows: [{ '?column?': 1 }] });
    await expect(postgresHealthCheck({ query }).check()).resolves.toBeUndefined();
    expect(query).toHaveBeenCalledWith('select 1');
  });

  it('fails with the driver error', async () => {
    const check = postgresHealthCheck({ query: () => Promise.reject(new Error('database "vigil" does not exist')) });
    expect(check.name).toBe('postgres');
    await expect(check.check()).rejects.toThrow('database "vigil" does not exist');
  });

  it('fails when the query does not answer within its timeout', async () => {
    const check = postgresHealthCheck({ query: () => new Promise(() => undefined) }, { name: 'audit-db', timeoutMs: 10 });
    await expect(check.check()).rejects.toThrow('audit-db did not answer within 10 ms');
  });
});

describe('redisHealthCheck', () => {
  it('passes when PING answers', async () => {
    await expect(redisHealthCheck(new FakeRedis()).check()).resolves.toBeUndefined();
  });

  it('fails at once with the last connection error while the client is reconnecting', async () => {
    const client = new FakeRedis();
    const check = redisHealthCheck(client);
    client.status = 'reconnecting';
    client.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6390'));
    await expect(check.check()).rejects.toThrow('not connected (reconnecting): connect ECONNREFUSED 127.0.0.1:6390');
  });

  it('passes again once the client is ready', async () => {
    const client = new FakeRedis();
    const check = redisHealthCheck(client);
    client.status = 'reconnecting';
    client.emit('error', new Error('connect ECONNREFUSED 127.0.0.1:6379'));
    client.status = 'ready';
    client.emit('ready');
    await expect(check.check()).resolves.toBeUndefined();
  });

  it('fails with a connection error raised while PING waits', async () => {
    const client = new FakeRedis();
    client.status = 'connecting';
    client.pingResult = () => new Promise(() => undefined);
    const result = redisHealthCheck(client).check();
    client.emit('error', new Error('connect ETIMEDOUT'));
    await expect(result).rejects.toThrow('connect ETIMEDOUT');
  });

  it('leaves no listener behind per check', async () => {
    const client = new FakeRedis();
    const check = redisHealthCheck(client);
    const before = client.listenerCount('error');
    for (let i = 0; i < 20; i++) await check.check();
    expect(client.listenerCount('error')).toBe(before);
  });
});

describe('kafkaHealthCheck', () => {
  it('passes when the probe resolves and fails with its error', async () => {
    await expect(kafkaHealthCheck(async () => undefined).check()).resolves.toBeUndefined();
    const check = kafkaHealthCheck(() => Promise.reject(new Error('Cannot connect to any broker.')));
    expect(check.name).toBe('kafka');
    await expect(check.check()).rejects.toThrow('Cannot connect to any broker.');
  });

  it('fails when the probe does not answer within its timeout', async () => {
    await expect(kafkaHealthCheck(() => new Promise(() => undefined), { timeoutMs: 10 }).check()).rejects.toThrow(
      'kafka did not answer within 10 ms',
    );
  });
});

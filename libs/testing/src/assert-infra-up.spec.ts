import { InfraDownError, assertInfraUp, describeDown } from './assert-infra-up';
import { redactUrl } from './infra-probe';

describe('describeDown', () => {
  it('is undefined when every server answered', () => {
    expect(describeDown([{ server: 'kafka', endpoint: '127.0.0.1:9092', ok: true, detail: 'cluster x' }])).toBeUndefined();
  });

  it('names each server that is down, where, why, and how to start them', () => {
    const message = describeDown([
      { server: 'kafka', endpoint: '127.0.0.1:9092', ok: false, detail: 'connect ECONNREFUSED 127.0.0.1:9092' },
      { server: 'redis', endpoint: 'redis://127.0.0.1:6379', ok: true, detail: 'PING PONG' },
      { server: 'registry', endpoint: 'http://127.0.0.1:8081', ok: false, detail: 'fetch failed' },
    ]);
    expect(message).toContain('kafka, registry did not answer');
    expect(message).toContain('kafka at 127.0.0.1:9092: connect ECONNREFUSED 127.0.0.1:9092');
    expect(message).toContain('registry at http://127.0.0.1:8081: fetch failed');
    expect(message).not.toContain('redis at');
    expect(message).toContain('npm run infra -- up');
  });
});

describe('redactUrl', () => {
  it('never shows a password', () => {
    expect(redactUrl('postgres://app:s3cret@db:5432/vigil')).toBe('postgres://app:***@db:5432/vigil');
    expect(redactUrl('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
    expect(redactUrl('not a url')).toBe('(unparseable URL)');
  });
});

describe('assertInfraUp', () => {
  // Port 1 on loopback: nothing listens there, so the probes fail for real, fast.
  const nowhere = {
    kafkaBrokers: ['127.0.0.1:1'],
    registryUrl: 'http://127.0.0.1:1',
    databaseUrl: 'postgres://postgres:pw@127.0.0.1:1/vigil',
    redisUrl: 'redis://127.0.0.1:1',
  };

  it('fails with every unreachable server named and the command to start them', async () => {
    const error = await assertInfraUp({ infra: nowhere }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(error).toBeInstanceOf(InfraDownError);
    const down = error as InfraDownError;
    expect(down.down.map((r) => r.server).sort()).toEqual(['kafka', 'postgres', 'redis', 'registry']);
    expect(down.message).toContain('npm run infra -- up');
    expect(down.message).toContain('postgres at postgres://postgres:***@127.0.0.1:1/vigil');
    expect(down.message).not.toContain(':pw@');
  });

  it('checks only the servers asked for', async () => {
    await expect(assertInfraUp({ infra: nowhere, servers: ['redis'] })).rejects.toThrow(/redis did not answer/);
  });
});

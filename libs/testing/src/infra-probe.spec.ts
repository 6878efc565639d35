import { probeRedis } from './infra-probe';

describe('probeRedis', () => {
  it('says which URL schemes it cannot probe', async () => {
    await expect(probeRedis('rediss://127.0.0.1:6380')).rejects.toThrow('the probe speaks redis:// only, got rediss://');
  });

  it('reports a refused connection as the error', async () => {
    await expect(probeRedis('redis://127.0.0.1:1')).rejects.toThrow(/ECONNREFUSED/);
  });
});

import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { callOwningService } from './mitigation-client';

describe('callOwningService', () => {
  it('names the service when it cannot be reached', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    await new Promise((resolve) => server.close(resolve));
    expect(await callOwningService('auth-gateway', `http://127.0.0.1:${port}`, '/v1/admin/users/x/disable', 'Bearer t', 2000)).toEqual({ ok: false, error: 'auth-gateway unreachable: ECONNREFUSED' });
  });

  it('forwards the bearer token, and names the service and its message on an error status', async () => {
    const seen: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'not_found', message: 'transit key k: no such key' }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
      expect(await callOwningService('vault', url, '/v1/transit/keys/k/rotate', 'Bearer person-token', 2000)).toMatchObject({ ok: false, status: 404, error: 'vault answered 404: transit key k: no such key' });
      expect(seen).toEqual(['Bearer person-token']);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

import type { JWK } from 'jose';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateSigningKey, issueToken, type SigningKey } from './token-issuer';
import { createTokenVerifier, type TokenVerifier } from './token-verifier';

// A JWKS endpoint as the gateway will serve it (a plain local HTTP server), to check the
// caching, the refetch on an unknown kid (key rotation) and the failure mode.
describe('remote JWKS', () => {
  let server: http.Server;
  let served: JWK[] = [];
  let fetches = 0;
  let url: string;
  let active: SigningKey;
  let next: SigningKey;
  let verifier: TokenVerifier;

  const token = (key: SigningKey) =>
    issueToken(key, { issuer: 'iss', audience: 'svc', subject: 'u1', principalType: 'user', roles: [], authTime: Math.floor(Date.now() / 1000), amr: ['otp'], ttlSec: 60 });

  beforeAll(async () => {
    [active, next] = await Promise.all([generateSigningKey('k1'), generateSigningKey('k2')]);
    served = [active.publicJwk];
    server = http.createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
    verifier = createTokenVerifier({ issuer: 'iss', audience: 'svc', keys: { jwksUrl: url, cooldownMs: 0, timeoutMs: 1000 } });
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('fetches the key set once and serves later tokens from the cache', async () => {
    await expect(verifier.verify(await token(active))).resolves.toMatchObject({ id: 'u1' });
    await expect(verifier.verify(await token(active))).resolves.toMatchObject({ id: 'u1' });
    expect(fetches).toBe(1);
  });

  it('picks up a rotated-in key on its first token (refetch on unknown kid), and still knows the previous one', async () => {
    served = [next.publicJwk, active.publicJwk];
    await expect(verifier.verify(await token(next))).resolves.toMatchObject({ id: 'u1' });
    await expect(verifier.verify(await token(active))).resolves.toMatchObject({ id: 'u1' });
    expect(fetches).toBe(2);
  });

  it('fails an unknown kid with UNKNOWN_KEY after refetching', async () => {
    const stranger = await generateSigningKey('k9');
    await expect(verifier.verify(await token(stranger))).rejects.toMatchObject({ code: 'UNKNOWN_KEY' });
  });

  it('fails with KEYS_UNAVAILABLE when the endpoint cannot be reached', async () => {
    const unreachable = createTokenVerifier({ issuer: 'iss', audience: 'svc', keys: { jwksUrl: 'http://127.0.0.1:9/jwks', timeoutMs: 500 } });
    await expect(unreachable.verify(await token(active))).rejects.toMatchObject({ code: 'KEYS_UNAVAILABLE' });
  });
});
